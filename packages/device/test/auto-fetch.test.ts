/** Images fetched on their own: within the limit, from others, and never once withdrawn. */
import { describe, expect, it } from 'vitest';
import { AutoFetch, type AutoFetchOptions, PoolOffers, protocolNameChecks } from '../src/index.js';
import { fileOffer, imageOffer, info, retract } from './fixtures.js';

function setup(limit = 100, ready = true) {
  const offers = new PoolOffers(protocolNameChecks);
  const turns: Array<() => void> = [];
  const fetched: string[] = [];
  const logged: string[] = [];
  const state = { ready, cancelled: 0 };
  const options: AutoFetchOptions = {
    selfId: 'me',
    limit: () => limit,
    defer: (run) => {
      turns.push(run);
      return () => {
        state.cancelled++;
        turns.splice(turns.indexOf(run), 1);
      };
    },
    ready: () => state.ready,
    wanted: (fileId) => offers.live(fileId) !== undefined,
    fetch: async (fileId) => {
      fetched.push(fileId);
      if (fileId.endsWith('!')) throw new Error('boom');
    },
    log: (line) => logged.push(line),
  };
  const auto = new AutoFetch(options);
  const note = (m: Parameters<PoolOffers['apply']>[0]) => {
    const changes = offers.apply(m);
    for (const o of [...changes.added, ...changes.described]) auto.consider(o);
  };
  const turn = () => turns.splice(0).forEach((run) => run());
  return { auto, note, turn, turns, fetched, logged, state };
}

describe('AutoFetch', () => {
  it('fetches images of others within the limit on the next turn', () => {
    const t = setup();
    const small = info({ size: 100n });
    t.note(imageOffer(small));
    t.note(imageOffer(info({ size: 101n })));
    t.note(imageOffer(info({ size: 10n, originNodeId: 'me' }), 'me'));
    t.note(fileOffer([info({ size: 10n })]));
    expect(t.fetched).toEqual([]);
    expect(t.turns).toHaveLength(1);
    t.turn();
    expect(t.fetched).toEqual([small.fileId]);
  });

  it('a withdrawal in the same batch wins', () => {
    const t = setup();
    const image = info({ size: 10n });
    t.note(imageOffer(image));
    t.note(retract(image.fileId));
    t.turn();
    expect(t.fetched).toEqual([]);
  });

  it('a limit of 0 fetches nothing', () => {
    const t = setup(0);
    t.note(imageOffer(info({ size: 1n })));
    expect(t.turns).toEqual([]);
  });

  it('waits until ready, then fetches when asked again; logs failures', async () => {
    const t = setup(100, false);
    const image = info({ size: 10n, fileId: 'img!' });
    t.note(imageOffer(image));
    t.turn();
    expect(t.fetched).toEqual([]);
    t.state.ready = true;
    t.auto.soon();
    t.turn();
    expect(t.fetched).toEqual(['img!']);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(t.logged).toEqual(['fetching image img! failed: Error: boom']);
  });

  it('close cancels the pending turn and queues nothing more', () => {
    const t = setup();
    t.note(imageOffer(info({ size: 10n })));
    t.auto.close();
    expect(t.state.cancelled).toBe(1);
    t.note(imageOffer(info({ size: 10n })));
    t.auto.soon();
    expect(t.turns).toEqual([]);
    expect(t.fetched).toEqual([]);
  });
});
