/** Every command of `poolnet`, in the order `poolnet --help` lists them. */
import type { Command } from '../command.js';
import { login, logout, register } from './account.js';
import { chat } from './chat.js';
import { deviceCode, deviceLink, deviceRename, deviceRevoke, devices } from './devices.js';
import { downloads } from './downloads.js';
import { cancel, download, files, retract, share } from './files.js';
import { history } from './history.js';
import { poolCreate, poolInvite, poolJoin, poolLeave, poolList, poolMembers } from './pools.js';
import { send } from './send.js';
import { server } from './server.js';
import { start } from './start.js';
import { status } from './status.js';
import { up } from './up.js';

export const COMMANDS: readonly Command[] = [
  start,
  server,
  up,
  register,
  login,
  logout,
  devices,
  deviceCode,
  deviceLink,
  deviceRename,
  deviceRevoke,
  poolCreate,
  poolList,
  poolInvite,
  poolJoin,
  poolLeave,
  poolMembers,
  send,
  history,
  chat,
  share,
  files,
  download,
  cancel,
  downloads,
  retract,
  status,
];
