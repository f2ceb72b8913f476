/** `poolnet devices` and `poolnet device code|link|rename|revoke`: the account's devices. */
import { hostname } from 'node:os';
import type { Account, Device, DeviceCode } from '../../api-types.js';
import { bigText } from '../big-text.js';
import { clockTime, shortId } from '../clock.js';
import { type CommandContext, defineCommand } from '../command.js';
import { formatDuration } from '../duration.js';
import { usageError } from '../errors.js';

const GROUP = 'account and devices';

export const devices = defineCommand({
  name: 'devices',
  group: GROUP,
  summary: "list your account's devices",
  async run(ctx) {
    const client = await ctx.client();
    const answer = await client.get<{ devices: Device[] }>('/v1/devices');
    if (ctx.json) return ctx.out.document(answer);
    const { dim, green } = ctx.out.style;
    if (answer.devices.length === 0) return ctx.out.line('no devices');
    ctx.out.table(
      ['NAME', 'TYPE', 'ID', 'CURRENT', 'REVOKED'],
      answer.devices.map((device) => [
        device.revokedAt === null ? device.name : dim(device.name),
        device.type,
        ctx.verbose ? device.id : shortId(device.id),
        device.current ? green('*') : '',
        device.revokedAt === null ? '' : clockTime(device.revokedAt, ctx.io.now()),
      ]),
    );
  },
});

export const deviceCode = defineCommand({
  name: 'device code',
  group: GROUP,
  summary: 'show a code and QR that add a device to your account',
  details: ['On the new device run `poolnet device link CODE --name NAME` before it expires.'],
  async run(ctx) {
    const client = await ctx.client();
    const answer = await client.post<DeviceCode>('/v1/devices/code', {});
    if (ctx.json) return ctx.out.document(answer);
    const { bold, dim } = ctx.out.style;
    const now = ctx.io.now();
    ctx.out.line();
    ctx.out.lines(bigText(answer.code).map((row) => `  ${bold(row)}`));
    ctx.out.line();
    ctx.out.line(`code     ${bold(answer.code)}`);
    ctx.out.line(
      `expires  ${clockTime(answer.expiresAt, now)} ${dim(`(in ${formatDuration((answer.expiresAt - now) / 1000)})`)}`,
    );
    ctx.out.line(`on the new device: poolnet device link ${answer.code} --name NAME`);
    const qr = await ctx.io.renderQr(answer.qrPayload);
    ctx.out.line();
    if (qr === undefined) {
      ctx.out.line(dim(`(no QR code: the qrcode package is not installed) ${answer.qrPayload}`));
    } else {
      ctx.out.line(qr.trimEnd());
      if (ctx.verbose) ctx.out.line(dim(answer.qrPayload));
    }
  },
});

export const deviceLink = defineCommand({
  name: 'device link',
  group: GROUP,
  args: 'CODE [--name NAME]',
  summary: 'add this device to the account that showed CODE',
  options: {
    name: { type: 'string', value: 'NAME', description: "this device's name (default: host name)" },
  },
  positionals: { min: 1 },
  async run(ctx, values, [code = '']) {
    const name = values.name?.trim() || hostname();
    const client = await ctx.client();
    const account = await client.post<Account>('/v1/devices/link', { code: code.trim(), name });
    if (ctx.json) return ctx.out.document(account);
    const { bold } = ctx.out.style;
    ctx.out.line(
      `linked: ${bold(account.deviceName)} is now a device of ${bold(account.displayName)}`,
    );
  },
});

function printDevice(ctx: CommandContext, verb: string, device: Device): void {
  const { bold, dim } = ctx.out.style;
  ctx.out.line(`${verb} ${bold(device.name)} ${dim(`(${device.id})`)}`);
}

export const deviceRename = defineCommand({
  name: 'device rename',
  group: GROUP,
  args: 'ID NAME',
  summary: 'rename one of your devices',
  positionals: { min: 2, max: Infinity },
  async run(ctx, _values, [deviceId = '', ...words]) {
    const name = words.join(' ').trim();
    if (name === '') throw usageError('device rename needs a NAME', 'device rename');
    const client = await ctx.client();
    const answer = await client.post<{ device: Device }>('/v1/devices/rename', { deviceId, name });
    if (ctx.json) return ctx.out.document(answer);
    printDevice(ctx, 'renamed to', answer.device);
  },
});

export const deviceRevoke = defineCommand({
  name: 'device revoke',
  group: GROUP,
  args: 'ID',
  summary: 'revoke one of your devices',
  details: ['A revoked device is signed out and cannot sign in again.'],
  positionals: { min: 1 },
  async run(ctx, _values, [deviceId = '']) {
    const client = await ctx.client();
    const answer = await client.post<{ device: Device }>('/v1/devices/revoke', { deviceId });
    if (ctx.json) return ctx.out.document(answer);
    printDevice(ctx, 'revoked', answer.device);
  },
});
