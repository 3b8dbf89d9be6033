export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Runs a panel's load; returns the message to show for its failure, or null once it worked. */
export async function loadProblem(load: () => Promise<void>): Promise<string | null> {
  try {
    await load();
    return null;
  } catch (error) {
    return errorMessage(error);
  }
}
