/**
 * The daemon's entry point as the CLI sees it. `poolnet up` imports this file lazily, so
 * every other command starts without loading the engine, WebRTC or SQLite.
 */
export { runDaemon } from '../daemon/run.js';
