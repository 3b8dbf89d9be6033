import type { EventName, EventPayload } from '@shared/contract';

type Listener = (event: EventName, payload: unknown) => void;

/** Fan-out of contract events to every attached transport (IPC window, WebSocket clients, CLI). */
export class EventBus {
  readonly #listeners = new Set<Listener>();

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of this.#listeners) {
      try {
        listener(event, payload);
      } catch (error) {
        // One broken transport must not stop the others from hearing about the event.
        console.error(`event listener failed on ${event}:`, error);
      }
    }
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
