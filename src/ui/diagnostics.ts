import type { BootInfo, PythonRuntime, ScriptStats } from '../runtime/types';
import { StateHolder } from './state-holder';

export interface DiagnosticsState {
  stats: readonly ScriptStats[];
  bootInfo: BootInfo | undefined;
  problem: string | null;
}

type StatsSource = Pick<PythonRuntime, 'stats' | 'resetStats' | 'subscribeStats' | 'subscribe' | 'bootInfo'>;

/** What the Diagnostics view shows: the runtime's per-script counters and how Python booted. */
export class Diagnostics extends StateHolder<DiagnosticsState> {
  private readonly unsubscribers: Array<() => void>;

  constructor(private readonly runtime: StatsSource) {
    super({ stats: runtime.stats(), bootInfo: runtime.bootInfo, problem: null });
    const refresh = () => this.set({ stats: this.runtime.stats(), bootInfo: this.runtime.bootInfo });
    this.unsubscribers = [runtime.subscribeStats(refresh), runtime.subscribe(refresh)];
  }

  reset(): void {
    this.runtime.resetStats();
    this.set({ stats: this.runtime.stats() });
  }

  dispose(): void {
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
  }
}
