/**
 * Generated designs for the editor benchmark: chains of MQTT message → If → MQTT publish,
 * laid out in a grid, valid against the real catalog so the validator does its full work.
 */
import type { Design, FlowEdge, FlowNode } from '../../../renderer/src/canvas/types';

/** Horizontal and vertical distance between nodes, and chains per row. */
const DX = 260;
const DY = 100;
const CHAINS_PER_ROW = 4;

const step = (j: number): Omit<FlowNode, 'id' | 'position'> => {
  const chain = Math.floor(j / 3);
  switch (j % 3) {
    case 0:
      return { kind: 'trigger.mqtt', config: { topic: `site/sensor/${chain}`, format: 'json' } };
    case 1:
      return { kind: 'logic.if', config: { condition: 'payload.value > 25' } };
    default:
      return {
        kind: 'action.mqtt-publish',
        config: { topic: `site/alert/${chain}`, payload: 'payload', qos: 0, retain: false },
      };
  }
};

/** A design with one flow of `count` nodes. */
export const generateDesign = (count: number): Design => {
  const nodes: FlowNode[] = [];
  const edges: FlowEdge[] = [];
  for (let j = 0; j < count; j++) {
    const chain = Math.floor(j / 3);
    const x = ((chain % CHAINS_PER_ROW) * 3 + (j % 3)) * DX;
    const y = Math.floor(chain / CHAINS_PER_ROW) * DY;
    nodes.push({ id: `n${j}`, position: { x, y }, ...step(j) });
    if (j % 3 !== 0) {
      edges.push({
        id: `e${j}`,
        from: { node: `n${j - 1}`, port: j % 3 === 1 ? 'out' : 'true' },
        to: { node: `n${j}`, port: 'in' },
      });
    }
  }
  return { flows: [{ id: 'bench', name: `${count} nodes`, nodes, edges, groups: [] }], roles: [] };
};
