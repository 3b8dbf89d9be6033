import type { CommandArgs, CommandName, CommandOutput } from '@shared/contract';

export type Handler<N extends CommandName> = (input: CommandArgs<N>) => Promise<CommandOutput<N>> | CommandOutput<N>;

/** The handlers of one domain of the contract, e.g. every `library.*` command. */
export type HandlerMap<K extends CommandName> = { [N in K]: Handler<N> };
