/** Short messages at the bottom of the window: errors from commands, confirmations with undo. */
export interface Notice {
  id: number;
  kind: 'info' | 'error';
  text: string;
  action?: { label: string; run: () => void };
}

class NoticeManager {
  items = $state<Notice[]>([]);
  #nextId = 1;

  show(text: string, kind: Notice['kind'] = 'info', action?: Notice['action'], ms = 5000): void {
    const id = this.#nextId++;
    // A new confirmation replaces the last one (undo, undo, undo shows one line); errors stay until read.
    const kept = this.items.filter((n) => n.kind === 'error').slice(-2);
    this.items = [...kept, { id, kind, text, action }];
    setTimeout(() => this.dismiss(id), kind === 'error' ? ms * 2 : ms);
  }

  error(error: unknown): void {
    this.show(error instanceof Error ? error.message : String(error), 'error');
  }

  dismiss(id: number): void {
    this.items = this.items.filter((n) => n.id !== id);
  }
}

export const notices = new NoticeManager();
