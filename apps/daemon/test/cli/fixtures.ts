/** Answers of the local API used across the CLI tests. */
import type { Account, Device, Member, Message, Pool, Status } from '../../src/api-types.js';

export const ACCOUNT: Account = {
  userId: 'user-ada-0001',
  deviceId: 'dev-laptop-0001',
  displayName: 'Ada',
  deviceName: 'laptop',
};

export const DEVICES: Device[] = [
  {
    id: 'dev-laptop-0001',
    name: 'laptop',
    type: 'desktop',
    createdAt: 1_700_000_000_000,
    lastSeenAt: 1_700_000_100_000,
    revokedAt: null,
    current: true,
  },
  {
    id: 'dev-phone-0002',
    name: 'old phone',
    type: 'mobile',
    createdAt: 1_700_000_000_000,
    lastSeenAt: 1_700_000_100_000,
    revokedAt: 1_700_000_200_000,
    current: false,
  },
];

export const FAMILY: Pool = {
  id: 'pool-family-0001',
  name: 'Family',
  isHome: true,
  ownerId: 'user-ada-0001',
  role: 'owner',
  members: 3,
  online: 2,
  unread: 5,
  settings: null,
};

export const WORK: Pool = {
  id: 'pool-work-0002',
  name: 'Work',
  isHome: false,
  ownerId: 'user-bob-0002',
  role: 'member',
  members: 12,
  online: 0,
  unread: 0,
  settings: null,
};

export const MEMBERS: Member[] = [
  {
    userId: 'user-ada-0001',
    displayName: 'Ada',
    role: 'owner',
    devices: [
      { id: 'dev-laptop-0001', name: 'laptop', type: 'desktop', online: true },
      { id: 'dev-phone-0003', name: 'phone', type: 'mobile', online: false },
    ],
  },
  {
    userId: 'user-bob-0002',
    displayName: 'Bob',
    role: 'member',
    devices: [{ id: 'dev-bob-0004', name: 'desk', type: 'desktop', online: true }],
  },
];

export function message(overrides: Partial<Message> = {}): Message {
  return {
    id: 'msg-0001',
    pool: FAMILY.id,
    author: 'dev-laptop-0001',
    userId: 'user-ada-0001',
    authorName: 'Ada',
    createdAt: new Date(2025, 10, 24, 12, 3).getTime(),
    kind: 'text',
    text: 'hello',
    mine: true,
    ...overrides,
  };
}

export const STATUS: Status = {
  deviceId: 'dev-laptop-0001',
  userId: 'user-ada-0001',
  displayName: 'Ada',
  deviceName: 'laptop',
  server: { url: 'http://127.0.0.1:8080', connected: true },
  dataDir: '/tmp/poolnet-data',
  pools: [
    {
      id: FAMILY.id,
      name: 'Family',
      joined: true,
      position: { path: [0, 1], slot: 2 },
      links: [
        { peer: 'dev-bob-0004', transport: 'webrtc', open: true },
        { peer: 'dev-carol-0005', transport: 'tcp', open: false },
      ],
    },
    { id: WORK.id, name: 'Work', joined: false, position: null, links: [] },
  ],
};

/** `now` for the tests: the same day as the fixture messages. */
export const NOW = new Date(2025, 10, 24, 18, 0).getTime();
