// STUB (training helper replaces): the training process entry.
export {};
