// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import '../../src/ui/item-sidebar';
import type { ItemSidebar } from '../../src/ui/item-sidebar';

/* New is offered only once the app has a workspace to make the item in: a click before did nothing. */

describe('the item sidebar', () => {
  it('disables New until it is ready, then makes an item on a click', async () => {
    const sidebar = document.createElement('pymark-item-sidebar') as ItemSidebar;
    sidebar.noun = 'script';
    sidebar.ready = false;
    document.body.append(sidebar);
    await sidebar.updateComplete;
    const button = () => sidebar.shadowRoot?.querySelector('button.primary') as HTMLButtonElement;
    expect(button().textContent?.trim()).toBe('New script');
    expect(button().disabled).toBe(true);

    const asked: unknown[] = [];
    sidebar.addEventListener('new-item', (event) => asked.push((event as CustomEvent).detail));
    sidebar.ready = true;
    await sidebar.updateComplete;
    expect(button().disabled).toBe(false);
    button().click();
    expect(asked).toEqual([null]);
    sidebar.remove();
  });
});
