import { describe, expect, it } from 'vitest';
import {
  PositionSchema,
  asNodeId,
  create,
  positionFromWire,
  positionToWire,
  type PlainPosition,
} from '../src/index.js';
import { position } from './fixtures.js';
import { expectProtocolError } from './expect-error.js';

const n = asNodeId;

describe('Position', () => {
  it('[WIRE22] becomes grids of node ids with null for vacant slots', () => {
    expect(positionFromWire(position())).toEqual({
      path: [1],
      slot: 2,
      cluster: [
        [n('n0'), null, n('n2')],
        [n('n3'), n('n4'), n('node-a')],
        [null, null, null],
      ],
      children: [
        [n('c0'), null, null],
        [null, null, null],
      ],
      epoch: 42,
    } satisfies PlainPosition);
  });

  it('[WIRE22] plain -> wire -> plain is the identity', () => {
    const plain: PlainPosition = {
      path: [2, 1, 0],
      slot: 0,
      cluster: [
        [n('me'), null, n('x')],
        [null, n('y'), null],
        [n('p0'), n('p1'), n('p2')],
      ],
      children: [
        [null, null, null],
        [n('k'), null, null],
      ],
      epoch: 2 ** 40,
    };
    const wire = positionToWire(plain);
    expect(wire.cluster).toEqual(['me', '', 'x', '', 'y', '', 'p0', 'p1', 'p2']);
    expect(positionFromWire(wire)).toEqual(plain);
  });

  it('[WIRE22] a cluster that is not exactly 9 entries is rejected', () => {
    const wire = { ...position(), cluster: position().cluster.slice(0, 8) };
    expectProtocolError(() => positionFromWire(wire), 'INVALID_FIELD', 'position.cluster');
  });

  it('[WIRE22] children that are not exactly 6 entries are rejected', () => {
    const wire = { ...position(), children: [...position().children, ''] };
    expectProtocolError(() => positionFromWire(wire), 'INVALID_FIELD', 'position.children');
  });

  it('[WIRE22] a grid cell that is neither "" nor a valid node id is rejected', () => {
    const children = ['bad id', '', '', '', '', ''];
    expectProtocolError(
      () => positionFromWire({ ...position(), children }),
      'INVALID_FIELD',
      'position.children[]',
    );
  });

  it('[WIRE22] a position whose own cell is vacant is rejected', () => {
    const cluster = ['n0', '', 'n2', 'n3', 'n4', '', '', '', ''];
    expectProtocolError(
      () => positionFromWire({ ...position(), cluster }),
      'INVALID_FIELD',
      'position.cluster',
    );
  });

  it('[WIRE22] path and slot follow WIRE6 and WIRE7', () => {
    expectProtocolError(
      () => positionFromWire({ ...position(), path: [] }),
      'INVALID_FIELD',
      'position.path',
    );
    expectProtocolError(
      () => positionFromWire({ ...position(), slot: 3 }),
      'INVALID_FIELD',
      'position.slot',
    );
  });

  it('[WIRE22] an epoch beyond 2^53-1 is rejected both ways', () => {
    const wire = create(PositionSchema, { ...position(), epoch: 2n ** 53n });
    expectProtocolError(() => positionFromWire(wire), 'INVALID_FIELD', 'position.epoch');
    const plain = positionFromWire(position());
    for (const epoch of [-1, 1.5, 2 ** 53]) {
      expectProtocolError(
        () => positionToWire({ ...plain, epoch }),
        'INVALID_FIELD',
        'position.epoch',
      );
    }
  });

  it('[WIRE22] positionToWire rejects a grid row that is not 3 slots', () => {
    const plain = positionFromWire(position());
    const cluster = [
      plain.cluster[0],
      plain.cluster[1],
      [null, null],
    ] as unknown as PlainPosition['cluster'];
    expectProtocolError(
      () => positionToWire({ ...plain, cluster }),
      'INVALID_FIELD',
      'position.cluster',
    );
  });
});
