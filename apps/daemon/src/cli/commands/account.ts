/** `poolnet register`, `login`, `logout`: the account this daemon's device belongs to. */
import { hostname } from 'node:os';
import type { Account } from '../../api-types.js';
import { shortId } from '../clock.js';
import { type CommandContext, defineCommand } from '../command.js';
import { usageError } from '../errors.js';

const GROUP = 'account and devices';

function printAccount(ctx: CommandContext, verb: string, account: Account): void {
  if (ctx.json) return ctx.out.document(account);
  const { bold, dim } = ctx.out.style;
  const ids = ctx.verbose
    ? `user ${account.userId}, device ${account.deviceId}`
    : `user ${shortId(account.userId)}, device ${shortId(account.deviceId)}`;
  ctx.out.line(
    `${verb} ${bold(account.displayName)} on ${bold(account.deviceName)} ${dim(`(${ids})`)}`,
  );
}

export const register = defineCommand({
  name: 'register',
  group: GROUP,
  args: '--name NAME [--device NAME]',
  summary: 'create an account (its passkey stays with the daemon)',
  details: ["The device name defaults to this computer's host name."],
  options: {
    name: { type: 'string', value: 'NAME', description: 'your display name' },
    device: {
      type: 'string',
      value: 'NAME',
      description: "this device's name (default: host name)",
    },
  },
  async run(ctx, values) {
    const name = values.name?.trim();
    if (name === undefined || name === '')
      throw usageError('register needs --name NAME', 'register');
    const device = values.device?.trim() || hostname();
    const client = await ctx.client();
    printAccount(
      ctx,
      'registered',
      await client.post<Account>('/v1/account/register', { name, device }),
    );
  },
});

export const login = defineCommand({
  name: 'login',
  group: GROUP,
  summary: "sign in with the daemon's stored passkey",
  async run(ctx) {
    const client = await ctx.client();
    printAccount(ctx, 'signed in as', await client.post<Account>('/v1/account/login', {}));
  },
});

export const logout = defineCommand({
  name: 'logout',
  group: GROUP,
  summary: 'sign this device out',
  details: ['The passkey stays: `poolnet login` signs in again.'],
  async run(ctx) {
    const client = await ctx.client();
    const answer = await client.post<{ ok: boolean }>('/v1/account/logout', {});
    if (ctx.json) return ctx.out.document(answer);
    ctx.out.line('signed out');
  },
});
