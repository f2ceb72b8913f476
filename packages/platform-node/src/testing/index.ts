export { LineChannel, type LineMessage } from './line-channel.js';
