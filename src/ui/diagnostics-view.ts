import { css, html, LitElement, nothing, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { BootInfo, DurationSummary, ScriptStats } from '../runtime/types';
import type { DiagnosticsState } from './diagnostics';

const formatMs = (ms: number | undefined) =>
  ms === undefined ? '—' : ms < 10 ? ms.toFixed(2) : ms.toFixed(1);

/**
 * How Python started, in the user's terms. A first start has no saved snapshot yet and takes longer;
 * the runtime's own reason stays in the tooltip, for a bug report.
 */
function describeBoot(boot: BootInfo): string {
  const took = `${formatMs(boot.ms)} ms`;
  if (boot.source === 'snapshot')
    return `Python started in ${took}, from the copy saved after its first start.`;
  if (boot.fallbackReason?.startsWith('the snapshot was refused'))
    return `Python started in ${took}. Its saved copy could not be used (after an update, or a change in the browser), so it started afresh.`;
  return `Python started afresh in ${took}; later starts are faster, from a copy saved after this one.`;
}

/** Per-script counters as a table and a bar chart of round-trip p50 / p95; emits `reset-stats`. */
@customElement('pymark-diagnostics-view')
export class DiagnosticsView extends LitElement {
  static override styles = css`
    :host {
      display: block;
      overflow: auto;
      height: 100%;
    }
    .heading {
      display: flex;
      align-items: center;
      gap: 1rem;
    }
    h2 {
      font-size: 1rem;
      margin: 0;
    }
    .boot {
      color: var(--muted);
      font-size: 0.85rem;
      min-width: 0;
      /* A refused snapshot's reason holds long unbroken keys. */
      overflow-wrap: anywhere;
    }
    .spacer {
      flex: 1;
    }
    table {
      border-collapse: collapse;
      width: 100%;
      margin: 0.75rem 0;
      font-size: 0.85rem;
      font-variant-numeric: tabular-nums;
    }
    th,
    td {
      text-align: right;
      padding: 0.3rem 0.5rem;
      border-bottom: 1px solid var(--border);
    }
    th:first-child,
    td:first-child {
      text-align: left;
    }
    figure {
      margin: 0.5rem 0;
    }
    .chart {
      max-width: 100%;
      height: auto;
    }
    figcaption {
      font-size: 0.8rem;
      color: var(--muted);
    }
    .chart text {
      font: 11px system-ui, sans-serif;
      fill: currentColor;
    }
    .p50 {
      fill: #2f6ea5;
    }
    .p95 {
      fill: #9cc3e6;
    }
    button {
      font: inherit;
      padding: 0.3rem 0.8rem;
    }
  `;

  @property({ attribute: false }) state?: DiagnosticsState;

  override render() {
    const stats = this.state?.stats ?? [];
    const boot = this.state?.bootInfo;
    return html`<div class="heading">
        <h2>Diagnostics</h2>
        ${
          boot
            ? html`<span class="boot" title=${boot.fallbackReason ?? ''}>${describeBoot(boot)}</span>`
            : nothing
        }
        <span class="spacer"></span>
        <button @click=${() => this.dispatchEvent(new CustomEvent('reset-stats', { bubbles: true, composed: true }))}>
          Reset counters
        </button>
      </div>
      ${
        stats.length === 0
          ? html`<p>No script has run since the counters were reset.</p>`
          : html`${this.renderTable(stats)} ${this.renderChart(stats)}`
      }`;
  }

  private renderTable(stats: readonly ScriptStats[]) {
    const durations = (summary: DurationSummary | undefined) =>
      html`<td>${formatMs(summary?.p50)}</td><td>${formatMs(summary?.p95)}</td><td>${formatMs(summary?.max)}</td>`;
    return html`<table aria-label="Script counters">
      <thead>
        <tr>
          <th rowspan="2">Script</th>
          <th rowspan="2">Calls</th>
          <th rowspan="2">Errors</th>
          <th rowspan="2">Timeouts</th>
          <th rowspan="2">Interrupts</th>
          <th colspan="3">Python time (ms)</th>
          <th colspan="3">Round trip (ms)</th>
        </tr>
        <tr>
          <th>p50</th><th>p95</th><th>max</th><th>p50</th><th>p95</th><th>max</th>
        </tr>
      </thead>
      <tbody>
        ${stats.map(
          (row) => html`<tr>
            <td>${row.name}</td>
            <td>${row.calls}</td>
            <td>${row.errors}</td>
            <td>${row.timeouts}</td>
            <td>${row.interrupts}</td>
            ${durations(row.pythonMs)} ${durations(row.roundTripMs)}
          </tr>`,
        )}
      </tbody>
    </table>`;
  }

  /** Horizontal bars: round-trip p95 (light) behind p50 (dark), on one scale for all scripts. */
  private renderChart(stats: readonly ScriptStats[]) {
    const rows = stats.filter((row) => row.roundTripMs);
    if (rows.length === 0) return nothing;
    const labelWidth = 140;
    const barWidth = 360;
    const rowHeight = 22;
    const scale = Math.max(...rows.map((row) => row.roundTripMs?.p95 ?? 0), 0.001);
    const height = rows.length * rowHeight + 20;
    return html`<figure>
      <svg class="chart" role="img" aria-label="Round-trip p50 and p95 per script" viewBox="0 0 ${labelWidth + barWidth + 130} ${height}" width=${labelWidth + barWidth + 130}>
        ${rows.map((row, index) => {
          const y = index * rowHeight;
          const p50 = ((row.roundTripMs?.p50 ?? 0) / scale) * barWidth;
          const p95 = ((row.roundTripMs?.p95 ?? 0) / scale) * barWidth;
          return svg`<text x="0" y=${y + 15}>${row.name}</text>
            <rect class="p95" x=${labelWidth} y=${y + 4} width=${p95} height="14"></rect>
            <rect class="p50" x=${labelWidth} y=${y + 4} width=${p50} height="14"></rect>
            <text x=${labelWidth + p95 + 6} y=${y + 15}>${formatMs(row.roundTripMs?.p50)} / ${formatMs(row.roundTripMs?.p95)} ms</text>`;
        })}
      </svg>
      <figcaption>Round trip per call: p50 (dark) and p95 (light), in milliseconds.</figcaption>
    </figure>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pymark-diagnostics-view': DiagnosticsView;
  }
}
