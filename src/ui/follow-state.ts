import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** A state holder as components see it (`StateHolder` and its kin). */
export interface StateSource<S> {
  readonly state: S;
  subscribe(listener: (state: S) => void): () => void;
}

/**
 * Keeps a component's `value` at the state of the holder `source` returns, re-rendering on every
 * change and following a newly assigned holder; unsubscribes while the component is detached.
 */
export class FollowState<S> implements ReactiveController {
  value: S | undefined;
  private followed: StateSource<S> | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly source: () => StateSource<S> | undefined,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    // Detached, it heard nothing: the next render picks the holder up again.
    this.host.requestUpdate();
  }

  hostUpdate(): void {
    const next = this.source();
    if (next === this.followed) return;
    this.unsubscribe?.();
    this.followed = next;
    this.value = next?.state;
    this.unsubscribe = next?.subscribe((state) => {
      this.value = state;
      this.host.requestUpdate();
    });
  }

  hostDisconnected(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.followed = undefined;
  }
}
