/**
 * The one contract between the renderer (Electron preload or browser-mode WebSocket) and the engine.
 * Every command has a zod schema for what comes in and what goes out; every event a schema for its
 * payload. Nothing here imports electron, node or the DOM.
 */
import { z } from 'zod';
import { augmentCommands } from './contract/augment';
import { cacheCommands } from './contract/caches';
import { curationCommands } from './contract/curation';
import type { CommandSpec } from './contract/define';
import { desktopCommands, desktopEvents } from './contract/desktop';
import { evaluationCommands } from './contract/evaluation';
import { explainCommands } from './contract/explain';
import { jobCommands, jobEvents } from './contract/jobs';
import { libraryCommands } from './contract/library';
import { mapCommands } from './contract/map';
import { projectCommands } from './contract/project';
import { trainingCommands, trainingEvents } from './contract/training';

export * from './contract/augment';
export * from './contract/caches';
export * from './contract/common';
export * from './contract/curation';
export * from './contract/desktop';
export * from './contract/evaluation';
export * from './contract/explain';
export * from './contract/jobs';
export * from './contract/library';
export * from './contract/map';
export * from './contract/project';
export * from './contract/training';

export const commands = {
  ...projectCommands,
  ...libraryCommands,
  ...jobCommands,
  ...desktopCommands,
  ...augmentCommands,
  ...trainingCommands,
  ...evaluationCommands,
  ...explainCommands,
  ...curationCommands,
  ...cacheCommands,
  ...mapCommands,
} satisfies Record<string, CommandSpec>;

export const events = {
  ...jobEvents,
  ...desktopEvents,
  ...trainingEvents,
  /** The catalogue changed (import, labels, classes): views refetch what they show. */
  'library.changed': z.object({ reason: z.string() }),
  'project.changed': z.object({ dir: z.string().nullable() }),
} satisfies Record<string, z.ZodType>;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type CommandInput<N extends CommandName> = z.input<Commands[N]['input']>;
export type CommandArgs<N extends CommandName> = z.output<Commands[N]['input']>;
export type CommandOutput<N extends CommandName> = z.output<Commands[N]['output']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;
/** Any event as (name, payload) arguments: checking the name narrows the payload. */
export type EventArgs = { [E in EventName]: [event: E, payload: EventPayload<E>] }[EventName];

export const commandNames = Object.keys(commands) as CommandName[];
export const eventNames = Object.keys(events) as EventName[];

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.hasOwn(commands, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}

/** What every caller sees when a command fails: a code it can branch on and a sentence for people. */
export const ERROR_CODES = ['invalid_input', 'unknown_command', 'no_project', 'not_found', 'conflict', 'failed', 'forbidden'] as const;
export const errorSchema = z.object({ code: z.enum(ERROR_CODES), message: z.string() });
export type ContractError = z.infer<typeof errorSchema>;

export type InvokeResult<N extends CommandName = CommandName> =
  { ok: true; output: CommandOutput<N> } | { ok: false; error: ContractError };

/** Renders zod issues as one readable sentence naming each bad field. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
}

export function parseInput<N extends CommandName>(
  name: N,
  input: unknown,
): { ok: true; value: CommandArgs<N> } | { ok: false; error: ContractError } {
  const parsed = commands[name].input.safeParse(input ?? {});
  if (!parsed.success) {
    return { ok: false, error: { code: 'invalid_input', message: `${name}: ${describeIssues(parsed.error)}` } };
  }
  return { ok: true, value: parsed.data as CommandArgs<N> };
}

/** The surface the renderer programs against, whichever transport carries it. */
export interface StudioApi {
  invoke<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  /** URL of an image's thumbnail or full-size rendering, by image id only. */
  imageUrl(id: number, size: 'thumb' | 'full'): string;
  readonly transport: 'electron' | 'websocket';
}

/** Messages on the browser-mode WebSocket. */
export const wsClientMessageSchema = z.object({
  type: z.literal('invoke'),
  id: z.number().int().nonnegative(),
  command: z.string().max(64),
  input: z.unknown(),
});
export type WsClientMessage = z.infer<typeof wsClientMessageSchema>;

export type WsServerMessage = { type: 'result'; id: number; result: InvokeResult } | { type: 'event'; event: EventName; payload: unknown };

/** Electron IPC channel names: one for commands, one for events. */
export const IPC_INVOKE = 'lds:invoke';
export const IPC_EVENT = 'lds:event';
