import type { EventArgs, EventName, EventPayload } from '@shared/contract';

type Listener = (...args: EventArgs) => void;

/** Fan-out of contract events to every attached transport (IPC window, WebSocket clients, CLI). */
export class EventBus {
  readonly #listeners = new Set<Listener>();

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of this.#listeners) {
      try {
        (listener as (event: E, payload: EventPayload<E>) => void)(event, payload);
      } catch (error) {
        // One broken transport must not stop the others from hearing about the event.
        console.error(`event listener failed on ${event}:`, error);
      }
    }
  }

  /** Every event; a listener that checks the name gets the payload typed. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** One event, its payload typed from the contract. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    return this.subscribe((...[name, payload]) => {
      if (name === event) listener(payload as EventPayload<E>);
    });
  }
}
