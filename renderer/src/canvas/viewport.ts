/** What the Flows view may ask of the canvas's viewport (a subset of xyflow's helpers). */
export interface CanvasViewport {
  /** Flow coordinates of a point on screen (client pixels). */
  toFlow(client: { x: number; y: number }): { x: number; y: number };
  /** Flow coordinates of the centre of the visible canvas. */
  center(): { x: number; y: number };
  fitView(): void;
  /** Centres and zooms on a rectangle of the flow (a node, a selection). */
  focus(rect: { x: number; y: number; width: number; height: number }): void;
}
