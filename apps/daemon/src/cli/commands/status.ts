/** `poolnet status`: the server connection, the account, and each pool's place and links. */
import type { NatStatus, PoolStatus, Status } from '../../api-types.js';
import { shortId } from '../clock.js';
import { defineCommand } from '../command.js';
import type { Style } from '../output.js';

function position(pool: PoolStatus): string {
  if (pool.position === null) return '-';
  return `[${pool.position.path.join(',')}] slot ${pool.position.slot}`;
}

function links(pool: PoolStatus, style: Style, verbose: boolean): string {
  if (pool.links.length === 0) return style.dim('none');
  return pool.links
    .map((link) => {
      const peer = verbose ? link.peer : shortId(link.peer);
      // `relayed`: the bytes go through the TURN server, not straight between the devices.
      const text = `${peer} ${link.transport}${link.relayed === true ? ' (relayed via TURN)' : ''}`;
      return link.open ? text : style.dim(`${text} (opening)`);
    })
    .join(', ');
}

/** One line on the NAT check: the verdict, and a warning when only a relay reaches us. */
function natLine(nat: NatStatus | null | undefined, style: Style): string {
  if (nat === undefined || nat === null) return style.dim('not checked yet');
  const text = `${nat.type}  ${nat.message}`;
  if (!nat.directReachable) return style.yellow(text);
  return nat.type === 'unknown' ? style.dim(text) : text;
}

export const status = defineCommand({
  name: 'status',
  group: 'inspect',
  summary: 'show the server, the account, and each pool with its links',
  async run(ctx) {
    const client = await ctx.client();
    const answer = await client.get<Status>('/v1/status');
    if (ctx.json) return ctx.out.document(answer);
    const { bold, dim, green, red, yellow } = ctx.out.style;
    const connection = answer.server.connected ? green('connected') : red('not connected');
    ctx.out.line(`server   ${answer.server.url}  ${connection}`);
    if (answer.userId === null) {
      ctx.out.line(
        `account  ${yellow('not signed in')}: poolnet register --name NAME, or poolnet login`,
      );
    } else {
      const ids = `user ${answer.userId}, device ${answer.deviceId ?? '-'}`;
      ctx.out.line(
        `account  ${bold(answer.displayName ?? answer.userId)} on ${bold(answer.deviceName ?? '-')}` +
          (ctx.verbose ? `  ${dim(`(${ids})`)}` : ''),
      );
    }
    ctx.out.line(`data     ${answer.dataDir}`);
    ctx.out.line(`nat      ${natLine(answer.nat, ctx.out.style)}`);
    ctx.out.line();
    if (answer.pools.length === 0) return ctx.out.line(dim('no pools'));
    ctx.out.table(
      ['POOL', 'JOINED', 'POSITION', 'LINKS'],
      answer.pools.map((pool) => [
        pool.name,
        pool.joined ? green('yes') : yellow('no'),
        position(pool),
        links(pool, ctx.out.style, ctx.verbose),
      ]),
    );
  },
});
