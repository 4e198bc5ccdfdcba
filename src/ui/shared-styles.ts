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

/** A modal dialog's frame, title and button row, alike in every dialog. */
export const dialogStyles = css`
  dialog {
    border: 1px solid var(--border);
    border-radius: 10px;
    padding: 1.25rem;
    background: var(--panel-bg);
    color: var(--text);
  }
  h2 {
    margin: 0 0 0.75rem;
    font-size: 1.1rem;
  }
  menu {
    display: flex;
    justify-content: flex-end;
    gap: 0.5rem;
    padding: 0;
    margin: 1rem 0 0;
  }
`;
