import * as Comlink from 'comlink';
import type { MacroContext, MacroOutput } from '../../src/core/abi';
import { connectToSandboxHost } from '../../src/runtime/sandbox-worker';
import { renderYoutube } from './youtube';

/*
 * The baselines' worker. It runs where the Python worker runs, in a sandbox frame, and connects
 * through the same handshake, so its Comlink calls take the very MessageChannel hop that
 * `runtime.renderMacro` takes, minus everything Pymark adds on top.
 */

const api = {
  /** The youtube macro in plain JavaScript over `contexts`, as the batch figure's baseline. */
  renderYoutube: (contexts: MacroContext[]): MacroOutput[] => contexts.map(renderYoutube),
};

export type EchoWorkerApi = typeof api;

const host = await connectToSandboxHost();
Comlink.expose(api, host.port);
