import type { WebSocket } from 'ws';
import { describeIssues, wsClientMessageSchema, type EventArgs, type InvokeResult, type WsServerMessage } from '@shared/contract';

/** The part of the engine the WebSocket speaks to. */
export interface ContractEngine {
  invoke(name: unknown, input: unknown): Promise<InvokeResult>;
  events: { subscribe(listener: (...args: EventArgs) => void): () => void };
}

/** Above this much unsent data a slow client stops hearing progress ticks (final events still go). */
const PROGRESS_BACKLOG_LIMIT = 4 * 1024 * 1024;

/**
 * Serves the contract on one socket: every message is validated; a malformed one gets an
 * invalid_input result (id -1 when it has no usable id) and the socket stays open.
 */
export function bridgeSocket(socket: WebSocket, engine: ContractEngine): void {
  const send = (message: WsServerMessage): void => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };

  const unsubscribe = engine.events.subscribe((event, payload) => {
    if (event === 'job.progress' && socket.bufferedAmount > PROGRESS_BACKLOG_LIMIT) return;
    send({ type: 'event', event, payload });
  });
  socket.on('close', unsubscribe);
  socket.on('error', unsubscribe);

  socket.on('message', (data, isBinary) => {
    // A reply that cannot be sent (an output JSON cannot encode) closes this socket, never the server.
    handleMessage(isBinary ? null : data.toString())
      .then(send)
      .catch((error: unknown) => {
        console.error(`lds serve: cannot send a reply: ${(error as Error).message}`);
        socket.close(1011, 'internal error');
      });
  });

  async function handleMessage(text: string | null): Promise<WsServerMessage> {
    let raw: unknown;
    try {
      if (text === null) throw new Error('binary frames are not part of the contract');
      raw = JSON.parse(text);
    } catch (error) {
      return invalid(-1, `message is not JSON: ${(error as Error).message}`);
    }
    const parsed = wsClientMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
      const usableId = typeof id === 'number' && Number.isInteger(id) && id >= 0 ? id : -1;
      return invalid(usableId, `malformed message: ${describeIssues(parsed.error)}`);
    }
    const { id, command, input } = parsed.data;
    try {
      return { type: 'result', id, result: await engine.invoke(command, input) };
    } catch (error) {
      // engine.invoke promises never to throw; this is the last line of defence.
      return { type: 'result', id, result: { ok: false, error: { code: 'failed', message: (error as Error).message } } };
    }
  }
}

function invalid(id: number, message: string): WsServerMessage {
  return { type: 'result', id, result: { ok: false, error: { code: 'invalid_input', message } } };
}
