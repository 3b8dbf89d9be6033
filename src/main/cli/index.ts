// STUB (foundation helper replaces): the `lds` command line.
export {};
