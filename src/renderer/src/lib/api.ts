/**
 * The renderer's one client of the contract. In the Electron window it talks to the preload bridge
 * (window.lds); in browser mode (`lds serve`) it talks WebSocket to the local server. Views and
 * managers only ever see StudioApi, so they cannot tell (and must not care) which one it is.
 */
import type {
  CommandInput,
  CommandName,
  CommandOutput,
  ContractError,
  EventName,
  EventPayload,
  InvokeResult,
  StudioApi,
  WsClientMessage,
  WsServerMessage,
} from '@shared/contract';

/** A failed command, carrying the contract's error code so callers can branch on it. */
export class ApiError extends Error {
  constructor(
    readonly code: ContractError['code'],
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** What the Electron preload exposes on window.lds. */
export interface PreloadBridge {
  invoke(name: string, input: unknown): Promise<unknown>;
  on(event: string, listener: (payload: unknown) => void): () => void;
  /** The file-system path of a dropped File (Electron's webUtils.getPathForFile), where offered. */
  pathForFile?(file: File): string;
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

type Listener = (payload: unknown) => void;

/**
 * Image ids restart at 1 in every project, so the same URL would name different pictures in two
 * projects and the browser's image cache would show the old one. The open project's scope goes into
 * every image URL as a query the server ignores.
 */
let imageScope = '';

export function setImageScope(scope: string): void {
  imageScope = scope;
}

function scoped(url: string): string {
  return imageScope ? `${url}?v=${encodeURIComponent(imageScope)}` : url;
}

function isInvokeResult(value: unknown): value is InvokeResult {
  return typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean';
}

function unwrap<N extends CommandName>(result: InvokeResult): CommandOutput<N> {
  if (result.ok) return result.output as CommandOutput<N>;
  throw new ApiError(result.error.code, result.error.message);
}

class ElectronApi implements StudioApi {
  readonly transport = 'electron' as const;

  constructor(private readonly bridge: PreloadBridge) {}

  async invoke<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>> {
    const raw = await this.bridge.invoke(name, input);
    // The bridge hands back the engine's InvokeResult; anything else is already the output.
    return isInvokeResult(raw) ? unwrap<N>(raw) : (raw as CommandOutput<N>);
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    return this.bridge.on(event, listener as Listener);
  }

  imageUrl(id: number, size: 'thumb' | 'full'): string {
    return scoped(`lds-image://${size}/${id}`);
  }
}

export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

export interface WebSocketApiOptions {
  /** ws://host:port/ws */
  url: string;
  /** Base for image URLs ('' in the browser: same origin). */
  imageBase?: string;
  /** Injected in Node tests (the `ws` package); the browser's WebSocket otherwise. */
  createSocket?: (url: string) => WebSocketLike;
  reconnectDelayMs?: number;
}

const OPEN = 1;

/** Browser mode: commands and events over one WebSocket that reconnects by itself. */
export class WebSocketApi implements StudioApi {
  readonly transport = 'websocket' as const;
  readonly #options: Required<WebSocketApiOptions>;
  readonly #pending = new Map<number, { resolve: (r: InvokeResult) => void; reject: (e: Error) => void }>();
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #stateListeners = new Set<(state: ConnectionState) => void>();
  readonly #outbox: string[] = [];
  #socket: WebSocketLike | null = null;
  #nextId = 1;
  #state: ConnectionState = 'closed';
  #disposed = false;
  #retry: ReturnType<typeof setTimeout> | null = null;

  constructor(options: WebSocketApiOptions) {
    this.#options = {
      imageBase: '',
      createSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
      reconnectDelayMs: 1000,
      ...options,
    };
    this.#connect();
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** Hears 'open' again after a reconnect: a cue to refetch what events may have been missed. */
  onConnectionChange(listener: (state: ConnectionState) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  async invoke<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>> {
    const id = this.#nextId++;
    const message: WsClientMessage = { type: 'invoke', id, command: name, input: input ?? {} };
    const result = await new Promise<InvokeResult>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#send(JSON.stringify(message));
    });
    return unwrap<N>(result);
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as Listener);
    return () => set.delete(listener as Listener);
  }

  imageUrl(id: number, size: 'thumb' | 'full'): string {
    return scoped(`${this.#options.imageBase}/images/${id}/${size}`);
  }

  close(): void {
    this.#disposed = true;
    if (this.#retry) clearTimeout(this.#retry);
    this.#socket?.close();
    this.#failPending('the connection was closed');
  }

  #send(data: string): void {
    if (this.#socket && this.#socket.readyState === OPEN) this.#socket.send(data);
    else this.#outbox.push(data);
  }

  #setState(state: ConnectionState): void {
    if (state === this.#state) return;
    this.#state = state;
    for (const listener of this.#stateListeners) listener(state);
  }

  #connect(): void {
    if (this.#disposed) return;
    this.#setState('connecting');
    const socket = this.#options.createSocket(this.#options.url);
    this.#socket = socket;
    socket.onopen = () => {
      this.#setState('open');
      for (const data of this.#outbox.splice(0)) socket.send(data);
    };
    socket.onmessage = (ev) => this.#receive(ev.data);
    socket.onerror = () => {
      // onclose follows and handles the retry.
    };
    socket.onclose = () => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#failPending('the connection to the studio was lost; try again');
      this.#setState('closed');
      if (!this.#disposed) this.#retry = setTimeout(() => this.#connect(), this.#options.reconnectDelayMs);
    };
  }

  #failPending(message: string): void {
    for (const { reject } of this.#pending.values()) reject(new ApiError('failed', message));
    this.#pending.clear();
  }

  #receive(data: unknown): void {
    let message: WsServerMessage;
    try {
      message = JSON.parse(String(data)) as WsServerMessage;
    } catch {
      return;
    }
    if (message.type === 'result') {
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      this.#pending.delete(message.id);
      pending.resolve(message.result);
    } else if (message.type === 'event') {
      for (const listener of this.#listeners.get(message.event) ?? []) {
        try {
          listener(message.payload);
        } catch (error) {
          console.error(`listener for ${message.event} failed`, error);
        }
      }
    }
  }
}

declare global {
  interface Window {
    lds?: PreloadBridge;
  }
}

let instance: StudioApi | null = null;

/** The process-wide client: the preload bridge when present, else the page's own server. */
export function getApi(): StudioApi {
  if (instance) return instance;
  if (window.lds) {
    instance = new ElectronApi(window.lds);
  } else {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    instance = new WebSocketApi({ url: `${scheme}://${location.host}/ws` });
  }
  return instance;
}

/** For tests and storybook-like harnesses: substitute a client. */
export function setApi(api: StudioApi): void {
  instance = api;
}
