// STUB (desktop helper replaces): exposes exactly the contract.
export {};
