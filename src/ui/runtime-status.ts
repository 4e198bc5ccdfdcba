import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { BootInfo, RuntimeStatus } from '../runtime/types';

function describeStatus(status: RuntimeStatus): string {
  switch (status.state) {
    case 'running':
      return `running ${status.scriptName}`;
    case 'restarting':
      return `restarting: ${status.reason}`;
    case 'failed':
      return `failed: ${status.reason}`;
    default:
      return status.state;
  }
}

/** E.g. "snapshot boot, 180 ms", or "normal boot, 2400 ms: the snapshot was refused: …". */
function describeBoot(boot: BootInfo): string {
  const summary = `${boot.source} boot, ${Math.round(boot.ms)} ms`;
  return boot.source === 'normal' && boot.fallbackReason ? `${summary}: ${boot.fallbackReason}` : summary;
}

/** The "Python status" live region: booting / ready / running / restarting / failed (with the reason). */
@customElement('pymark-runtime-status')
export class RuntimeStatusBadge extends LitElement {
  static override styles = css`
    :host {
      display: inline-flex;
      min-width: 0;
    }
    [role='status'] {
      display: inline-flex;
      align-items: center;
      gap: 0.4em;
      font-size: 0.85rem;
      padding: 0.2em 0.7em;
      /* Rounded but not a pill: a long message (a failure's reason) wraps instead of being cut. */
      border-radius: 0.9em;
      background: var(--chip-bg);
      color: var(--text);
      max-width: min(48ch, 100%);
      box-sizing: border-box;
      overflow-wrap: anywhere;
    }
    .dot {
      width: 0.6em;
      height: 0.6em;
      border-radius: 50%;
      background: var(--dot, #999);
      flex: none;
    }
    [data-state='ready'] {
      --dot: #16a34a;
    }
    [data-state='running'] {
      --dot: #2563eb;
    }
    [data-state='booting'],
    [data-state='restarting'] {
      --dot: #d97706;
    }
    [data-state='failed'] {
      --dot: #dc2626;
    }
  `;

  @property({ attribute: false }) status: RuntimeStatus = { state: 'booting' };
  @property({ attribute: false }) bootInfo: BootInfo | undefined;

  override render() {
    const text = describeStatus(this.status);
    const title = this.bootInfo ? `${text} (${describeBoot(this.bootInfo)})` : text;
    return html`<span
      role="status"
      aria-label="Python status"
      data-state=${this.status.state}
      data-boot-source=${this.bootInfo?.source ?? nothing}
      title=${title}
    >
      <span class="dot" aria-hidden="true"></span><span class="text">Python: ${text}</span>
    </span>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pymark-runtime-status': RuntimeStatusBadge;
  }
}
