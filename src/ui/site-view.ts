import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { BuildReport, ProblemLink, ReportedProblem } from '../site/app/build-protocol';
import { previewPath } from '../site/app/preview-cache';
import type { BuildProgress } from '../site/app/site-build-client';
import { controlStyles } from './shared-styles';
import { persistenceText, type SiteField, type SiteState, siteFields } from './site-workspace';

const fieldLabels: Record<SiteField, string> = {
  title: 'Title',
  description: 'Description',
  author: 'Author',
  base_url: 'Base URL',
  language: 'Language',
  posts_per_page: 'Posts per page',
  embeds: 'Embeds allowed (one URL prefix a line)',
};

/**
 * How many of a report's errors or warnings are shown until the user asks for all: a build of
 * thousands of posts can report thousands, and rendering them all at once held up the page.
 */
export const problemsShownAtFirst = 100;

/** What an intent of the Site view asks its owner (pymark-app) to do. */
export type SiteIntent =
  | { type: 'edit'; field: SiteField; text: string }
  | { type: 'commit' }
  | { type: 'build'; zip: boolean }
  | { type: 'cancel' }
  | { type: 'auto-rebuild'; on: boolean }
  | { type: 'export' }
  | { type: 'open'; link: ProblemLink };

/**
 * The Site view: `site.yml` as a form, the templates in use, Build site with its progress, Cancel and
 * the report (each problem a link to the post or script at its line), the preview of the last build,
 * and the project's export. Renders `state`; every action is a `site-intent` event.
 */
@customElement('pymark-site-view')
export class SiteView extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: grid;
        gap: 1rem;
        grid-template-columns: minmax(260px, 1fr) minmax(260px, 1fr);
        align-items: start;
        overflow: auto;
        height: 100%;
      }
      section {
        display: grid;
        gap: 0.5rem;
      }
      label {
        display: grid;
        gap: 0.2rem;
        font-size: 0.9rem;
      }
      .error {
        color: #b91c1c;
        font-size: 0.85rem;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      progress {
        width: 100%;
      }
      ul {
        margin: 0;
        padding-left: 1.2rem;
      }
      label.toggle {
        display: flex;
        gap: 0.4rem;
        align-items: center;
      }
      .link {
        background: none;
        border: none;
        padding: 0;
        color: var(--link, #1d4ed8);
        text-decoration: underline;
        cursor: pointer;
      }
      h2 {
        font-size: 1rem;
        margin: 0.25rem 0;
      }
    `,
  ];

  @property({ attribute: false }) state?: SiteState;
  /** The lists of the shown report (by label) the user opened in full. */
  @state() private listedInFull = new Set<string>();
  #shownReport: BuildReport | undefined;

  override willUpdate(): void {
    // A new report starts with its long lists cut short again.
    if (this.state?.report !== this.#shownReport) {
      this.#shownReport = this.state?.report;
      if (this.listedInFull.size > 0) this.listedInFull = new Set();
    }
  }

  override render() {
    const state = this.state;
    if (!state) return nothing;
    return html`
      <section aria-labelledby="site-settings-heading">
        <h2 id="site-settings-heading">Site settings (site.yml)</h2>
        ${siteFields.map((field) => this.renderField(state, field))}
        <p role="status" class="saved">${saveLabel(state.settingsState)}</p>
      </section>
      <section aria-labelledby="site-build-heading">
        <h2 id="site-build-heading">Build</h2>
        <div class="actions">
          <button class="primary" ?disabled=${state.building} @click=${() => this.intent({ type: 'build', zip: false })}>
            Build site
          </button>
          <button ?disabled=${state.building} @click=${() => this.intent({ type: 'build', zip: true })}>
            Download site (.zip)
          </button>
          ${
            state.building
              ? html`<button ?disabled=${state.progress?.phase === 'write' || state.progress?.phase === 'preview'}
                  @click=${() => this.intent({ type: 'cancel' })}>Cancel</button>`
              : nothing
          }
          <a href=${previewPath} target="_blank" rel="noopener">Browse the built site</a>
        </div>
        <label class="toggle">
          <input type="checkbox" name="auto-rebuild" .checked=${state.autoRebuild}
            @change=${(event: Event) => this.intent({ type: 'auto-rebuild', on: (event.target as HTMLInputElement).checked })} />
          Rebuild on change
        </label>
        ${state.rebuildStatus ? html`<p role="status" class="rebuild-status">${state.rebuildStatus}</p>` : nothing}
        ${state.building ? renderProgress(state.progress) : nothing}
        ${state.report ? this.renderReport(state.report) : nothing}
        <h2>Templates</h2>
        <ul aria-label="Templates">
          ${state.templates.map(
            (template) =>
              html`<li>${template.name} <small>(${template.from === 'project' ? 'project, overrides the theme' : 'theme'})</small></li>`,
          )}
        </ul>
        <h2>Storage</h2>
        <p class="persisted">${persistenceText(state.persisted)}</p>
        <div class="actions"><button @click=${() => this.intent({ type: 'export' })}>Export project (.zip)</button></div>
      </section>
    `;
  }

  private renderField(state: SiteState, field: SiteField) {
    const error = state.errors[field];
    const onInput = (event: Event) =>
      this.intent({
        type: 'edit',
        field,
        text: (event.target as HTMLInputElement | HTMLTextAreaElement).value,
      });
    const onChange = () => this.intent({ type: 'commit' });
    const errorId = `site-${field}-error`;
    const control =
      field === 'embeds'
        ? html`<textarea name=${field} rows="3" .value=${state.values[field]} aria-invalid=${error ? 'true' : 'false'}
            aria-describedby=${errorId} @input=${onInput} @change=${onChange}></textarea>`
        : html`<input name=${field} type=${field === 'posts_per_page' ? 'number' : 'text'} .value=${state.values[field]}
            aria-invalid=${error ? 'true' : 'false'} aria-describedby=${errorId} @input=${onInput} @change=${onChange} />`;
    return html`<label>${fieldLabels[field]} ${control}
      <span class="error" id=${errorId}>${error ?? ''}</span></label>`;
  }

  private renderReport(report: BuildReport) {
    const seconds = (report.milliseconds / 1000).toFixed(2);
    const heading =
      report.outcome === 'built'
        ? report.destination === 'folder'
          ? `Built into the folder’s site/: ${report.written} written, ${report.unchanged} unchanged, ${report.removed} removed, in ${seconds} s`
          : `Built ${report.files} files (no folder connected: browse it, or download the zip), in ${seconds} s`
        : report.outcome === 'cancelled'
          ? 'Build cancelled: the previous site is as it was.'
          : `Build failed: nothing was written${report.error ? ` (${report.error})` : ''}.`;
    return html`<div class="report" role="region" aria-label="Build report">
      <p><strong>${heading}</strong></p>
      ${
        report.outcome === 'built'
          ? html`<p>${report.posts} posts (${report.drafts} drafts left out), ${report.macroCalls} macro calls, ${report.macrosRun} run in Python.</p>`
          : nothing
      }
      ${this.renderProblems('Errors', report.problems)} ${this.renderProblems('Warnings', report.warnings)}
    </div>`;
  }

  private renderProblems(label: string, problems: readonly ReportedProblem[]) {
    if (problems.length === 0) return nothing;
    const shown = this.listedInFull.has(label) ? problems : problems.slice(0, problemsShownAtFirst);
    return html`<h2>${label}</h2>
      <ul aria-label=${label}>
        ${shown.map(
          (problem) => html`<li>
            ${problem.file}${problem.line === undefined ? '' : `:${problem.line}${problem.column === undefined ? '' : `:${problem.column}`}`}:
            ${problem.message}
            ${problem.links.map(
              (link) =>
                html`<button class="link" @click=${() => this.intent({ type: 'open', link })}>
                  ${link.kind === 'post' ? `Open the post at line ${link.line}` : `Open ${link.slug}.py at line ${link.line}`}
                </button>`,
            )}
          </li>`,
        )}
      </ul>
      ${
        shown.length < problems.length
          ? html`<button @click=${() => {
              this.listedInFull = new Set([...this.listedInFull, label]);
            }}>Show all ${problems.length} ${label.toLowerCase()}</button>`
          : nothing
      }`;
  }

  private intent(intent: SiteIntent): void {
    this.dispatchEvent(
      new CustomEvent<SiteIntent>('site-intent', { detail: intent, bubbles: true, composed: true }),
    );
  }
}

function renderProgress(progress: BuildProgress | undefined) {
  const text = !progress
    ? 'Starting…'
    : progress.phase === 'read'
      ? 'Reading the project…'
      : progress.phase === 'render'
        ? `Rendered ${progress.done} of ${progress.total} posts`
        : progress.phase === 'pages'
          ? `Made ${progress.done} of ${progress.total} pages`
          : progress.phase === 'write'
            ? `Wrote ${progress.done} changed files`
            : 'Storing the preview…';
  const known = progress && progress.total > 0;
  return html`<div class="progress" role="status">
    <progress max=${known ? progress.total : 1} .value=${known ? Math.min(progress.done, progress.total) : 0} aria-label="Build progress"></progress>
    <span>${text}</span>
  </div>`;
}

function saveLabel(state: SiteState['settingsState']): string {
  switch (state) {
    case 'loading':
      return 'Loading…';
    case 'saved':
      return 'Saved';
    case 'unsaved':
      return 'Not saved yet (fix the marked fields, or leave the field to save)';
    case 'saving':
      return 'Saving…';
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pymark-site-view': SiteView;
  }
}
