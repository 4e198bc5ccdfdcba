/**
 * The one place a view's state lives: components read `state` and subscribe; only the owner's
 * methods change it, through `set`.
 */
export abstract class StateHolder<S extends { problem: string | null }> {
  private current: S;
  private readonly listeners = new Set<(state: S) => void>();

  protected constructor(initial: S) {
    this.current = initial;
  }

  get state(): S {
    return this.current;
  }

  subscribe(listener: (state: S) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Shows a problem found outside this holder's own work, e.g. while the app started. */
  reportProblem(problem: string): void {
    this.set({ problem } as Partial<S>);
  }

  dismissProblem(): void {
    this.set({ problem: null } as Partial<S>);
  }

  protected set(changes: Partial<S>): void {
    this.current = { ...this.current, ...changes };
    for (const listener of this.listeners) listener(this.current);
  }

  /** Runs `action`; a failure becomes a visible problem instead of an unhandled rejection. */
  protected async attempt(what: string, action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.set({ problem: `Could not ${what}: ${describeError(error)}` } as Partial<S>);
    }
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
