import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { ImportReport, ReportEntry } from '../core/reference-import';
import type { SyncReport } from '../storage/folder/folder-sync';
import type {
  ConflictNotice,
  FolderConnectionState,
  FolderControls,
  FolderStatus,
} from './folder-connection';
import { FollowState } from './follow-state';
import type { ReferenceImportState, ReferenceProjectImport } from './reference-project-import';
import { controlStyles } from './shared-styles';

const timeFormat = new Intl.DateTimeFormat('en', { timeStyle: 'medium' });

const statusWords: Record<FolderStatus, string> = {
  'not-connected': 'not connected',
  connected: 'connected',
  syncing: 'syncing…',
  'needs-permission': 'needs permission',
  error: 'sync failed',
};

/** "2 written · 1 imported", or "nothing to do". */
function summarize(report: SyncReport): string {
  const counts = [
    [report.written.length, 'written'],
    [report.imported.length, 'imported'],
    [report.conflicts.length, report.conflicts.length === 1 ? 'conflict' : 'conflicts'],
    [report.trashed.length, 'moved to trash'],
  ] as const;
  const parts = counts.filter(([count]) => count > 0).map(([count, what]) => `${count} ${what}`);
  return parts.length === 0 ? 'nothing to do' : parts.join(' · ');
}

/** The sidebar's project folder section: which folder, its status, the sync actions and report. */
@customElement('pymark-folder-panel')
export class FolderPanel extends LitElement {
  static override styles = [
    controlStyles,
    css`
    :host {
      display: flex;
      flex-direction: column;
      gap: 0.4rem;
      border-top: 1px solid var(--border);
      padding-top: 0.6rem;
      font-size: 0.85rem;
    }
    h2 {
      font-size: 0.85rem;
      margin: 0;
      text-transform: uppercase;
      letter-spacing: 0.04em;
      color: var(--muted);
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 0.35rem;
    }
    button {
      padding: 0.25rem 0.6rem;
    }
    ul {
      margin: 0;
      padding-left: 1.1rem;
    }
    code {
      overflow-wrap: anywhere;
    }
    .muted {
      color: var(--muted);
    }
    .notice {
      border: 1px solid var(--warning-text);
      border-radius: 6px;
      padding: 0.4rem 0.5rem;
      display: flex;
      flex-direction: column;
      gap: 0.3rem;
      align-items: flex-start;
    }
  `,
  ];

  @property({ attribute: false }) connection?: FolderControls;
  /** Imports a reference desktop app project folder into the app (`pymark import`'s mapping). */
  @property({ attribute: false }) referenceImport?: ReferenceProjectImport;
  private readonly followed = new FollowState<FolderConnectionState>(this, () => this.connection);
  private readonly importing = new FollowState<ReferenceImportState>(this, () => this.referenceImport);
  /** "Rebuild from folder" re-imports everything, so it asks once more before it runs. */
  @state() private confirmingRebuild = false;

  override render() {
    const view = this.followed.value;
    if (!view) return nothing;
    return html`
      <h2>Project folder</h2>
      <div role="status" aria-label="Folder status">
        ${view.folderName ? `Folder: ${view.folderName} — ${statusWords[view.status]}` : 'Not connected'}
      </div>
      <div class="actions">${this.renderActions(view)}</div>
      ${
        view.problem
          ? html`<div class="notice" role="alert">
            ${view.problem}
            <button @click=${() => this.connection?.dismissProblem()}>Dismiss</button>
          </div>`
          : nothing
      }
      ${view.conflicts.map((notice) => this.renderConflict(notice))} ${this.renderReport(view)}
      ${this.renderReferenceImport()}
    `;
  }

  /** Import a reference desktop app project from a folder, and what became of its files. */
  private renderReferenceImport() {
    const importer = this.referenceImport;
    const view = this.importing.value;
    if (!importer || !view) return nothing;
    return html`<div class="actions">
        <button ?disabled=${view.busy} @click=${() => void importer.importFolder()}>
          ${view.busy ? 'Importing…' : 'Import reference project…'}
        </button>
      </div>
      ${
        view.problem
          ? html`<div class="notice" role="alert">
            ${view.problem}
            <button @click=${() => importer.dismissProblem()}>Dismiss</button>
          </div>`
          : nothing
      }
      ${view.last ? this.renderImportReport(view.last.folderName, view.last.report, importer) : nothing}`;
  }

  private renderImportReport(folderName: string, report: ImportReport, importer: ReferenceProjectImport) {
    const section = (title: string, entries: ReportEntry[]) =>
      entries.length === 0
        ? nothing
        : html`<div>
          ${title} (${entries.length}):
          <ul aria-label=${title}>
            ${entries.map(
              (entry) => html`<li>
                <code>${entry.path}</code>${entry.to && entry.to !== entry.path ? html` → <code>${entry.to}</code>` : nothing}
                ${entry.notes.map((note) => html`<div class="muted">${note}</div>`)}
              </li>`,
            )}
          </ul>
        </div>`;
    return html`<section class="notice" aria-label="Reference import report">
      <span role="status">
        Imported from ${folderName}: ${report.taken.length} taken, ${report.converted.length} converted,
        ${report.left.length} left
      </span>
      ${section('Taken as they were', report.taken)} ${section('Converted', report.converted)}
      ${section('Left', report.left)}
      <button @click=${() => importer.dismissReport()}>Dismiss import report</button>
    </section>`;
  }

  private renderActions(view: FolderConnectionState) {
    const connection = this.connection;
    switch (view.status) {
      case 'not-connected':
        return html`<button @click=${() => connection?.connect()}>Connect folder</button>`;
      case 'needs-permission':
        return html`<button @click=${() => connection?.reconnect()}>Reconnect folder</button>
          <button @click=${() => connection?.disconnect()}>Disconnect folder</button>`;
      default:
        if (this.confirmingRebuild) {
          return html`<span>Re-import every file from the folder? Items that differ become conflicts.</span>
            <button @click=${this.rebuild}>Rebuild now</button>
            <button @click=${() => (this.confirmingRebuild = false)}>Cancel rebuild</button>`;
        }
        return html`<button @click=${() => connection?.syncNow()}>Sync now</button>
          <button @click=${() => (this.confirmingRebuild = true)}>Rebuild from folder</button>
          <button @click=${() => connection?.disconnect()}>Disconnect folder</button>`;
    }
  }

  private readonly rebuild = (): void => {
    this.confirmingRebuild = false;
    void this.connection?.rebuildFromFolder();
  };

  private renderConflict(notice: ConflictNotice) {
    return html`<div class="notice" role="alert">
      <span>
        Edited in both places: <code>${notice.path}</code> — the folder's version is in the app now; your
        version was saved as <code>${notice.copyPath}</code>
      </span>
      <button aria-label="Dismiss conflict notice for ${notice.path}" @click=${() =>
        this.connection?.dismissConflict(notice.copyPath)}>Dismiss</button>
    </div>`;
  }

  private renderReport(view: FolderConnectionState) {
    const { lastSync, lastChanges } = view;
    if (!lastSync) return nothing;
    const { unreadable, failed } = lastSync.report;
    return html`
      <div class="muted" aria-label="Last sync">
        Checked ${timeFormat.format(new Date(lastSync.at))}${
          lastChanges
            ? html`; last changes at ${timeFormat.format(new Date(lastChanges.at))}: ${summarize(lastChanges.report)}`
            : nothing
        }
      </div>
      ${
        unreadable.length > 0
          ? html`<div>
            Files left alone because they could not be read:
            <ul aria-label="Unreadable files">
              ${unreadable.map((file) => html`<li><code>${file.path}</code>: ${file.reason}</li>`)}
            </ul>
          </div>`
          : nothing
      }
      ${
        failed.length > 0
          ? html`<div>
            Not synced, retried on the next sync:
            <ul aria-label="Failed operations">
              ${failed.map((failure) => html`<li><code>${failure.path}</code>: ${failure.reason}</li>`)}
            </ul>
          </div>`
          : nothing
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pymark-folder-panel': FolderPanel;
  }
}
