/**
 * What the map frame (map-frame.html, the one page allowed to eval, for regl) offers the Map view
 * that frames it. Same origin, so the view calls it directly; the frame gets numbers, never text.
 */
export interface MapFrameHandlers {
  select(indices: number[]): void;
  /** A point under the pointer: its index and where it is in the frame, or null. */
  hover(hover: { index: number; x: number; y: number } | null): void;
}

export interface MapFrameApi {
  /** null: the scatter is running; otherwise why it could not start (no WebGL). */
  readonly failure: string | null;
  connect(handlers: MapFrameHandlers): void;
  /** Draws the points (colour = palette[category]), keeping `selected` selected. */
  draw(
    xs: readonly number[],
    ys: readonly number[],
    categories: readonly number[],
    palette: readonly string[],
    selected: readonly number[],
  ): Promise<void>;
  /** Shows this selection without reporting it back. */
  select(indices: readonly number[]): void;
  configure(options: { lasso: boolean; background: string; lassoColour: string }): void;
  /** Where a point is drawn now, in the frame's pixels (undefined: not drawn). */
  screenPosition(index: number): [number, number] | undefined;
}

declare global {
  interface Window {
    ldsMapFrame?: MapFrameApi;
  }
}
