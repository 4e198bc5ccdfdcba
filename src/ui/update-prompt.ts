/// <reference types="vite-plugin-pwa/vanillajs" />

import { registerSW } from 'virtual:pwa-register';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';

/** How long "Ready to work offline" stays up. */
const OFFLINE_READY_MS = 5_000;
/** How often a long-lived tab asks the server whether a new version exists. */
const UPDATE_CHECK_MS = 60 * 60 * 1_000;

type UpdateSW = (reloadPage?: boolean) => Promise<void>;

/**
 * Registers the service worker and tells the user about it, without ever swapping code under them:
 * a new version waits until the user clicks "Reload to update" (`registerType: 'prompt'`).
 */
@customElement('pymark-update-prompt')
export class UpdatePrompt extends LitElement {
  static override styles = css`
    :host {
      position: fixed;
      inset-inline-end: 1rem;
      inset-block-end: 1rem;
      z-index: 1000;
      max-width: min(28rem, calc(100vw - 2rem));
      pointer-events: none;
    }
    .toast {
      pointer-events: auto;
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5rem 0.75rem;
      padding: 0.75rem 1rem;
      border-radius: 0.5rem;
      background: var(--toast-bg, #1f4e79);
      color: var(--toast-fg, #fff);
      box-shadow: 0 4px 16px rgb(0 0 0 / 0.25);
      font-size: 0.9rem;
    }
    .actions {
      display: flex;
      gap: 0.5rem;
    }
    button {
      font: inherit;
      padding: 0.3em 0.8em;
      border-radius: 0.35rem;
      border: 1px solid currentColor;
      background: transparent;
      color: inherit;
      cursor: pointer;
    }
    button.primary {
      background: #fff;
      color: #1f4e79;
      border-color: #fff;
    }
    button:focus-visible {
      outline: 2px solid #ffd43b;
      outline-offset: 2px;
    }
  `;

  /**
   * What the toast says: nothing; the app now works offline; a new version waits for the user's go-ahead;
   * or another tab applied the update, so this page's code is older than its service worker.
   */
  @state() notice: 'none' | 'offline-ready' | 'need-refresh' | 'need-reload' = 'none';

  private updateSW: UpdateSW | null = null;
  /** Set when the user clicked "Reload to update" here; only then does the activation reload this page. */
  private updateRequested = false;
  private offlineTimer: ReturnType<typeof setTimeout> | undefined;
  private updateTimer: ReturnType<typeof setInterval> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.updateSW || !('serviceWorker' in navigator)) return;
    this.updateSW = registerSW({
      immediate: true,
      onNeedRefresh: () => {
        clearTimeout(this.offlineTimer);
        this.notice = 'need-refresh';
      },
      onNeedReload: () => {
        // The new worker took control. Reload only if the user asked for it in this tab; a click in
        // another tab must not reload this one under the user (e.g. mid-edit or mid-run).
        if (this.updateRequested) window.location.reload();
        else this.notice = 'need-reload';
      },
      onOfflineReady: () => {
        if (this.notice !== 'none') return;
        this.notice = 'offline-ready';
        clearTimeout(this.offlineTimer);
        this.offlineTimer = setTimeout(() => {
          if (this.notice === 'offline-ready') this.notice = 'none';
        }, OFFLINE_READY_MS);
      },
      onRegisteredSW: (_url, registration) => {
        if (!registration) return;
        clearInterval(this.updateTimer);
        this.updateTimer = setInterval(() => {
          if (navigator.onLine && !registration.installing) void registration.update().catch(() => {});
        }, UPDATE_CHECK_MS);
      },
      onRegisterError: (error: unknown) => {
        console.warn('Pymark: service worker registration failed; offline use is unavailable.', error);
      },
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.offlineTimer);
    clearInterval(this.updateTimer);
    this.updateTimer = undefined;
  }

  private applyUpdate(): void {
    // Activates the waiting worker; onNeedReload then reloads this page once the worker controls it.
    this.updateRequested = true;
    void this.updateSW?.(true);
  }

  private reloadNow(): void {
    window.location.reload();
  }

  private dismiss(): void {
    clearTimeout(this.offlineTimer);
    this.notice = 'none';
  }

  override render() {
    // The live region is always rendered so screen readers announce the messages when they appear.
    return html`<div role="status" aria-live="polite">${this.renderToast()}</div>`;
  }

  private renderToast() {
    switch (this.notice) {
      case 'need-refresh':
        return html`<div class="toast">
          <span>A new version of Pymark is available.</span>
          <span class="actions">
            <button class="primary" type="button" @click=${this.applyUpdate}>Reload to update</button>
            <button type="button" @click=${this.dismiss}>Later</button>
          </span>
        </div>`;
      case 'need-reload':
        return html`<div class="toast">
          <span>Pymark was updated in another tab.</span>
          <span class="actions">
            <button class="primary" type="button" @click=${this.reloadNow}>Reload now</button>
            <button type="button" @click=${this.dismiss}>Later</button>
          </span>
        </div>`;
      case 'offline-ready':
        return html`<div class="toast">
          <span>Ready to work offline</span>
          <span class="actions">
            <button type="button" @click=${this.dismiss}>Got it</button>
          </span>
        </div>`;
      default:
        return nothing;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pymark-update-prompt': UpdatePrompt;
  }
}
