import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { type DiffLine, diffLines } from '../core/line-diff';
import type { DefaultOffer } from '../storage/defaults-seeder';
import type { DefaultOffers, DefaultOffersState } from './default-offers';
import { FollowState } from './follow-state';
import { controlStyles } from './shared-styles';

/** Lists newer bundled defaults offered beside scripts the user edited, to view and take or keep. */
@customElement('pymark-default-offers')
export class DefaultOffersNotice extends LitElement {
  static override styles = [
    controlStyles,
    css`
    :host {
      display: flex;
      flex-direction: column;
      gap: 0.4rem;
      font-size: 0.85rem;
    }
    section {
      border: 1px solid var(--border);
      border-radius: 6px;
      padding: 0.4rem 0.5rem;
      display: flex;
      flex-direction: column;
      gap: 0.3rem;
    }
    pre {
      max-height: 16rem;
      overflow: auto;
      font-size: 0.8rem;
      margin: 0.3rem 0 0;
    }
    .removed {
      background: var(--diff-removed);
    }
    .added {
      background: var(--diff-added);
    }
    .skipped {
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
  `,
  ];

  @property({ attribute: false }) offers?: DefaultOffers;
  private readonly followed = new FollowState<DefaultOffersState>(this, () => this.offers);

  override render() {
    const view = this.followed.value;
    if (!view) return nothing;
    return html`
      ${view.offers.map((offer) => this.renderOffer(offer))}
      ${
        view.problem
          ? html`<div role="alert">
            ${view.problem} <button @click=${() => this.offers?.dismissProblem()}>Dismiss</button>
          </div>`
          : nothing
      }
    `;
  }

  private renderOffer(offer: DefaultOffer) {
    const title = offer.script.title;
    return html`<section aria-label="New version of ${title}">
      <span>
        Version ${offer.version} of the bundled “${title}” is available. Yours has edits, so it was kept${
          offer.path ? html` (the new one is also at <code>${offer.path}</code>)` : nothing
        }.
      </span>
      <details>
        <summary>Compare yours with version ${offer.version}</summary>
        <pre aria-label="Changes from yours to version ${offer.version}">${diffLines(offer.yours, offer.script.body).map(renderDiffLine)}</pre>
      </details>
      <div class="actions">
        <button @click=${() => this.offers?.adopt(offer.scriptId)}>Update “${title}”</button>
        <button @click=${() => this.offers?.dismiss(offer.scriptId)}>Keep mine</button>
      </div>
    </section>`;
  }
}

const diffMarks = { same: ' ', removed: '-', added: '+' } as const;

/** One line of the comparison, marked `-` (only in yours) or `+` (only in the new version). */
function renderDiffLine(line: DiffLine) {
  if (line.kind === 'skipped')
    return html`<div class="skipped">… ${line.count} unchanged line${line.count === 1 ? '' : 's'}</div>`;
  return html`<div class=${line.kind}>${diffMarks[line.kind]} ${line.text}</div>`;
}

declare global {
  interface HTMLElementTagNameMap {
    'pymark-default-offers': DefaultOffersNotice;
  }
}
