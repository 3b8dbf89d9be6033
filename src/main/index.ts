// STUB (desktop helper replaces): Electron entry, wiring only.
export {};
