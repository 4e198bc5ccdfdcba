import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

/**
 * The Electron binary cannot run here, so main.ts runs against a recording stand-in for the
 * `electron` module: this checks its wiring (window options, scheme, IPC, navigation), not Electron.
 */
const electron = vi.hoisted(() => {
  type Listener = (...args: unknown[]) => unknown;
  const handlers = new Map<string, Listener>();
  const windows: FakeWindow[] = [];
  const opened: string[] = [];
  const privileged: unknown[] = [];
  const protocols = new Map<string, Listener>();
  let permissionHandler: Listener | undefined;
  let dialogAnswer = { canceled: true, filePaths: [] as string[] };

  class FakeContents {
    readonly listeners = new Map<string, Listener>();
    /** Channels main sent this window, in order. */
    readonly sent: string[] = [];
    openHandler: Listener | undefined;
    constructor(readonly id: number) {}
    send(channel: string) {
      this.sent.push(channel);
    }
    on(event: string, listener: Listener) {
      this.listeners.set(event, listener);
    }
    setWindowOpenHandler(handler: Listener) {
      this.openHandler = handler;
    }
  }

  class FakeWindow {
    static nextId = 1;
    readonly webContents = new FakeContents(FakeWindow.nextId++);
    readonly listeners = new Map<string, Listener>();
    loaded: string | undefined;
    constructor(readonly options: unknown) {
      windows.push(this);
    }
    on(event: string, listener: Listener) {
      this.listeners.set(event, listener);
    }
    async loadURL(url: string) {
      this.loaded = url;
    }
    static fromWebContents(contents: FakeContents) {
      return windows.find((window) => window.webContents === contents) ?? null;
    }
    static getAllWindows() {
      return windows;
    }
  }

  const module = {
    app: { whenReady: async () => {}, enableSandbox: () => {}, on: () => {} },
    BrowserWindow: FakeWindow,
    dialog: { showOpenDialog: async () => dialogAnswer },
    ipcMain: { handle: (channel: string, handler: Listener) => handlers.set(channel, handler) },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => privileged.push(...schemes),
      handle: (scheme: string, handler: Listener) => protocols.set(scheme, handler),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (handler: Listener) => {
          permissionHandler = handler;
        },
      },
    },
    shell: { openExternal: async (url: string) => opened.push(url) },
    webContents: {
      fromId: (id: number) => windows.find((window) => window.webContents.id === id)?.webContents,
    },
  };
  return {
    module,
    handlers,
    windows,
    opened,
    privileged,
    protocols,
    permission: () => permissionHandler,
    answerDialog: (path: string) => {
      dialogAnswer = { canceled: false, filePaths: [path] };
    },
  };
});

vi.mock('electron', () => electron.module);

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'pymark-main-'));
  await mkdir(join(folder, 'posts'));
  await writeFile(join(folder, 'posts', 'notes.md'), 'x');
  await import('../../electron/main');
  await vi.waitFor(() => expect(electron.windows).toHaveLength(1), { timeout: 30_000 });
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

function window() {
  return electron.windows[0]!;
}

/** An invoke as the app's top frame sends it, or as another frame would. */
function invoke(
  channel: string,
  request?: unknown,
  frame = { url: 'app://pymark/', parent: null as unknown },
) {
  const event = { sender: window().webContents, senderFrame: frame };
  return electron.handlers.get(channel)!(event, request);
}

describe('main process wiring', () => {
  it('registers the app scheme with the privileges the isolated app needs and serves it', () => {
    expect(electron.privileged).toEqual([
      {
        scheme: 'app',
        privileges: {
          standard: true,
          secure: true,
          supportFetchAPI: true,
          corsEnabled: true,
          stream: true,
          codeCache: true,
        },
      },
    ]);
    expect([...electron.protocols.keys()]).toEqual(['app']);
  });

  it('opens one sandboxed, isolated window on the app with the preload', () => {
    expect(window().options).toEqual({
      width: expect.any(Number),
      height: expect.any(Number),
      webPreferences: {
        preload: expect.stringMatching(/preload\.cjs$/),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
      },
    });
    expect(window().loaded).toBe('app://pymark/');
  });

  it('keeps navigation on the app, sends web links to the OS browser and opens no windows', () => {
    const navigate = window().webContents.listeners.get('will-navigate')!;
    const attempt = (url: string) => {
      const event = { url, preventDefault: vi.fn() };
      navigate(event);
      return event.preventDefault.mock.calls.length > 0;
    };
    expect(attempt('app://pymark/')).toBe(false);
    expect(attempt('https://example.com/a')).toBe(true);
    expect(attempt('file:///etc/passwd')).toBe(true);
    expect(window().webContents.openHandler!({ url: 'https://example.com/b' })).toEqual({ action: 'deny' });
    expect(window().webContents.openHandler!({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(electron.opened).toEqual(['https://example.com/a', 'https://example.com/b']);
  });

  it('refuses every permission request', () => {
    const grant = vi.fn();
    electron.permission()!(window().webContents, 'notifications', grant);
    expect(grant).toHaveBeenCalledWith(false);
  });

  it('answers the bridge channels, only for the app page, and forgets the folder with the window', async () => {
    expect([...electron.handlers.keys()].sort()).toEqual([
      'pymark:connected-folder',
      'pymark:folder:list',
      'pymark:folder:list-folders',
      'pymark:folder:move',
      'pymark:folder:read',
      'pymark:folder:remove',
      'pymark:folder:remove-empty-folder',
      'pymark:folder:write-atomic',
      'pymark:forget-folder',
      'pymark:pick-folder',
    ]);
    expect(await invoke('pymark:pick-folder')).toEqual({ ok: true, value: null });

    electron.answerDialog(folder);
    const picked = (await invoke('pymark:pick-folder')) as { value: { id: string } };
    expect(picked).toEqual({ ok: true, value: { id: expect.any(String), name: expect.any(String) } });
    const folderId = picked.value.id;
    expect(await invoke('pymark:folder:list', { folderId, dir: 'posts' })).toMatchObject({
      ok: true,
      value: [{ path: 'posts/notes.md', size: 1 }],
    });
    expect(await invoke('pymark:connected-folder')).toEqual(picked);

    const refused = { ok: false, error: 'Refused: the request did not come from the app page.' };
    const subframe = { url: 'app://pymark/', parent: {} };
    expect(await invoke('pymark:connected-folder', undefined, subframe)).toEqual(refused);
    expect(
      await invoke('pymark:pick-folder', undefined, { url: 'https://evil.example/', parent: null }),
    ).toEqual(refused);

    window().listeners.get('closed')!();
    expect(await invoke('pymark:connected-folder')).toEqual({ ok: true, value: null });
  });

  it('tells the window when its folder changes on disk', async () => {
    electron.answerDialog(folder);
    expect(await invoke('pymark:pick-folder')).toMatchObject({ ok: true });
    await writeFile(join(folder, 'posts', 'edited.md'), 'y');
    await vi.waitFor(() => expect(window().webContents.sent).toContain('pymark:folder-changed'), {
      timeout: 5_000,
    });
    window().listeners.get('closed')!();
  });
});
