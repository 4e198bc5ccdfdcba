import { css } from 'lit';

/** Buttons and labelled fields look the same in every view's shadow root. */
export const controlStyles = css`
  button {
    font: inherit;
    padding: 0.35rem 0.8rem;
    border-radius: 6px;
    border: 1px solid var(--border);
    background: var(--button-bg);
    color: var(--text);
    cursor: pointer;
  }
  button.primary {
    background: var(--accent);
    border-color: var(--accent);
    color: #fff;
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  .field {
    display: inline-flex;
    align-items: center;
    gap: 0.35rem;
    font-size: 0.85rem;
    color: var(--muted);
  }
  .field select {
    font: inherit;
    color: var(--text);
    padding: 0.25rem;
  }
  .spacer {
    flex: 1;
  }
`;
