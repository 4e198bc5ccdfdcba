import { Document, isMap, parseDocument } from 'yaml';
import { parseSiteSettings, type SiteSettings, siteSettingsSchema } from '../core/site-settings';
import type { Scheduler } from '../runtime/call-executor';
import type { BuildReport } from '../site/app/build-protocol';
import type { BuildProgress, SiteBuildClient } from '../site/app/site-build-client';
import { defaultTheme } from '../site/theme';
import type { SiteSettingsText } from '../storage/site-settings-store';
import { StateHolder } from './state-holder';

/** The form's fields, in the order it shows them: `site.yml`'s keys (docs/site.md). */
export const siteFields = [
  'title',
  'description',
  'author',
  'base_url',
  'language',
  'posts_per_page',
  'embeds',
] as const satisfies readonly (keyof SiteSettings)[];
export type SiteField = (typeof siteFields)[number];

export interface TemplateEntry {
  name: string;
  /** `theme`: the bundled default; `project`: the folder's `templates/` (overriding the theme's of that name). */
  from: 'theme' | 'project';
}

export interface SiteState {
  /** The form's text per field, as typed (embeds one per line). */
  values: Record<SiteField, string>;
  /** Why a field's text does not fit, checked as it is typed. */
  errors: Partial<Record<SiteField, string>>;
  settingsState: 'loading' | 'saved' | 'unsaved' | 'saving';
  templates: readonly TemplateEntry[];
  building: boolean;
  progress: BuildProgress | undefined;
  report: BuildReport | undefined;
  /** Whether the browser keeps this origin's storage under pressure; undefined until known. */
  persisted: boolean | undefined;
  /** Rebuild on change: posts, scripts or media changing start a background build. */
  autoRebuild: boolean;
  /** What rebuild on change is doing, said in words; null while it has nothing to say. */
  rebuildStatus: string | null;
  problem: string | null;
}

/** How long after the last change a background rebuild starts: typing saves often, one build follows. */
export const rebuildDelayMs = 1_500;

export interface SiteWorkspaceDeps {
  builds: Pick<SiteBuildClient, 'build' | 'cancel' | 'exportProject'>;
  /** Where `site.yml` lives now (the connected folder, else IndexedDB). */
  settingsText: () => Promise<SiteSettingsText>;
  /** The connected folder's `templates/` files, by name (`post.liquid`, `partials/x.liquid`); none without one. */
  projectTemplates: () => Promise<string[]>;
  folderConnected: () => boolean;
  /** Hands a file to the user (a download). */
  saveFile: (blob: Blob, name: string) => void;
  storage: { persisted(): Promise<boolean>; persist(): Promise<boolean> };
  /** Where the rebuild-on-change toggle is remembered between visits. */
  autoRebuildSetting: { read(): boolean; write(on: boolean): void };
  /** Waits before a background rebuild; tests pass a manual clock. */
  schedule?: Scheduler;
  /** The time of day a rebuild finished, as the status says it. */
  clockTime?: () => string;
}

/**
 * The Site view's state: the site settings form (validated as typed, saved to `site.yml`), the
 * templates in use, and builds through the site build worker with their progress and report.
 *
 * Rebuild on change: each change restarts a short wait, then one background build runs (the
 * worker's memo and the writer's manifest make it incremental: only the macros and files that
 * changed are redone). A change while that rebuild runs cancels it and queues the next, so the
 * newest change wins; builds never overlap, a rebuild waits for a build the user started.
 */
export class SiteWorkspace extends StateHolder<SiteState> {
  #text: string | undefined;
  /** Stops the wait before a background rebuild, while one is pending. */
  #cancelWait: (() => void) | undefined;
  /** A change arrived while a build ran: rebuild once it ends. */
  #changedDuringBuild = false;
  /** The running build is a background rebuild (which a newer change may cancel). */
  #rebuilding = false;

  constructor(private readonly deps: SiteWorkspaceDeps) {
    super({
      values: formValues(siteSettingsSchema.parse({})),
      errors: {},
      settingsState: 'loading',
      templates: [],
      building: false,
      progress: undefined,
      report: undefined,
      persisted: undefined,
      autoRebuild: deps.autoRebuildSetting.read(),
      rebuildStatus: null,
      problem: null,
    });
  }

  /** Finds out whether the browser keeps the app's storage (Settings says so from the start). */
  async checkPersistence(): Promise<void> {
    try {
      this.set({ persisted: await this.deps.storage.persisted() });
    } catch {
      this.set({ persisted: false });
    }
  }

  /** Reads `site.yml` and the templates afresh: the view calls it each time it opens. */
  async load(): Promise<void> {
    await this.attempt('read the site settings', async () => {
      const text = await (await this.deps.settingsText()).read();
      this.#text = text;
      const parsed = parseSiteSettings(text ?? '');
      const problem = parsed.ok
        ? null
        : `site.yml, line ${parsed.problem.line}: ${parsed.problem.reason}. The form shows the defaults; saving replaces what does not fit.`;
      const settings = parsed.ok ? parsed.value : siteSettingsSchema.parse({});
      const overrides = new Set(await this.deps.projectTemplates());
      const names = new Set([...defaultTheme.templates.keys(), ...overrides]);
      this.set({
        values: formValues(settings),
        errors: {},
        settingsState: 'saved',
        templates: [...names]
          .sort()
          .map((name) => ({ name, from: overrides.has(name) ? 'project' : 'theme' }) satisfies TemplateEntry),
        persisted: await this.deps.storage.persisted(),
        problem,
      });
    });
  }

  /** A field's text as typed: checked at once, saved with `commit`. */
  edit(field: SiteField, text: string): void {
    const values = { ...this.state.values, [field]: text };
    const errors = { ...this.state.errors };
    const error = fieldError(field, text);
    if (error) errors[field] = error;
    else delete errors[field];
    this.set({ values, errors, settingsState: 'unsaved' });
  }

  /** Saves the form into `site.yml` when every field fits, keeping the file's comments and key order. */
  async commit(): Promise<void> {
    if (this.state.settingsState !== 'unsaved' || Object.keys(this.state.errors).length > 0) return;
    this.set({ settingsState: 'saving' });
    await this.attempt('save site.yml', async () => {
      // A file that does not parse as a mapping is replaced by the form's values (load said so).
      const existing = parseDocument(this.#text ?? '');
      const doc = existing.errors.length === 0 && isMap(existing.contents) ? existing : new Document({});
      for (const field of siteFields) doc.set(field, typedValue(field, this.state.values[field]));
      const text = doc.toString();
      const checked = parseSiteSettings(text);
      if (!checked.ok) throw new Error(`line ${checked.problem.line}: ${checked.problem.reason}`);
      await (await this.deps.settingsText()).write(text);
      this.#text = text;
      this.set({ settingsState: 'saved' });
    });
    // A failed save (shown as a problem) leaves the form's text to fix or retry.
    if ((this.state.settingsState as SiteState['settingsState']) === 'saving')
      this.set({ settingsState: 'unsaved' });
  }

  /** Builds the site (into the connected folder's `site/` when there is one); `zip` also downloads it. */
  async build(options: { zip: boolean } = { zip: false }): Promise<void> {
    if (this.state.building) return;
    await this.commit();
    // This build takes in every change so far: a rebuild waiting for them is not needed.
    this.#stopWaiting();
    this.#changedDuringBuild = false;
    void this.askPersistence();
    await this.#run(options.zip, false);
  }

  cancel(): void {
    this.deps.builds.cancel();
  }

  /** Turns rebuild on change on or off, and remembers it. */
  setAutoRebuild(on: boolean): void {
    this.deps.autoRebuildSetting.write(on);
    if (!on) {
      this.#stopWaiting();
      this.#changedDuringBuild = false;
    }
    this.set({
      autoRebuild: on,
      rebuildStatus: on ? 'On: posts, scripts and media that change are rebuilt in the background.' : null,
    });
  }

  /** A post, script or media item changed: with rebuild on change, the site follows. */
  contentChanged(): void {
    if (!this.state.autoRebuild) return;
    if (this.state.building) {
      this.#changedDuringBuild = true;
      // A newer change supersedes a running rebuild (one the user started runs to its end).
      if (this.#rebuilding) {
        this.deps.builds.cancel();
        this.set({ rebuildStatus: 'Changed again: the rebuild starts over…' });
      }
      return;
    }
    this.#wait();
  }

  #wait(): void {
    this.#stopWaiting();
    const schedule = this.deps.schedule ?? defaultSchedule;
    this.#cancelWait = schedule(rebuildDelayMs, () => {
      this.#cancelWait = undefined;
      void this.#rebuild();
    });
    this.set({ rebuildStatus: 'Changes seen: rebuilding in a moment…' });
  }

  #stopWaiting(): void {
    this.#cancelWait?.();
    this.#cancelWait = undefined;
  }

  async #rebuild(): Promise<void> {
    if (!this.state.autoRebuild) return;
    if (this.state.building) {
      this.#changedDuringBuild = true;
      return;
    }
    this.set({ rebuildStatus: 'Rebuilding after a change…' });
    await this.#run(false, true);
  }

  async #run(zip: boolean, rebuild: boolean): Promise<void> {
    this.#rebuilding = rebuild;
    this.set({
      building: true,
      progress: undefined,
      problem: null,
      ...(rebuild ? {} : { report: undefined }),
    });
    let rebuildStatus: string | null = this.state.rebuildStatus;
    try {
      const answer = await this.deps.builds.build({
        toFolder: this.deps.folderConnected(),
        zip,
        onProgress: (progress) => this.set({ progress }),
      });
      const superseded = rebuild && answer.report.outcome === 'cancelled' && this.#changedDuringBuild;
      // A rebuild cancelled by a newer change says nothing: the next one reports.
      if (!superseded) this.set({ report: answer.report });
      if (rebuild && !superseded) rebuildStatus = rebuiltStatus(answer.report, this.#clockTime());
      if (answer.zip && answer.report.outcome === 'built') this.deps.saveFile(answer.zip, 'site.zip');
    } catch (error) {
      this.reportProblem(
        `Could not build the site: ${error instanceof Error ? error.message : String(error)}`,
      );
      if (rebuild) rebuildStatus = 'The rebuild after a change could not run: see the problem above.';
    } finally {
      this.#rebuilding = false;
      this.set({ building: false, progress: undefined, rebuildStatus });
    }
    if (this.#changedDuringBuild && this.state.autoRebuild) {
      this.#changedDuringBuild = false;
      this.#wait();
    }
  }

  #clockTime(): string {
    return (this.deps.clockTime ?? (() => new Date().toLocaleTimeString()))();
  }

  async exportProject(): Promise<void> {
    await this.attempt('export the project', async () => {
      const fromFolder = this.deps.folderConnected();
      this.deps.saveFile(await this.deps.builds.exportProject(fromFolder), 'pymark-project.zip');
    });
  }

  /**
   * With IndexedDB as the only copy, a browser may evict a blog under storage pressure; once the user
   * builds or connects a folder, ask it to keep the storage. Asked once per page: the answer sticks.
   */
  async askPersistence(): Promise<void> {
    if (this.state.persisted) return;
    try {
      this.set({ persisted: await this.deps.storage.persist() });
    } catch {
      // A browser without the Storage API: nothing to ask, and the view says it is not kept.
      this.set({ persisted: false });
    }
  }
}

const defaultSchedule: Scheduler = (ms, callback) => {
  const handle = setTimeout(callback, ms);
  return () => clearTimeout(handle);
};

/** Whether the browser keeps the app's storage, in words (the Site view and Settings both say it). */
export function persistenceText(persisted: boolean | undefined): string {
  if (persisted === undefined) return 'Checking whether the browser keeps this app’s storage…';
  return persisted
    ? 'The browser keeps this app’s storage (persistent storage granted).'
    : 'Persistent storage not granted: under pressure the browser may clear this app’s storage. Export the project to keep a copy.';
}

function rebuiltStatus(report: BuildReport, at: string): string {
  switch (report.outcome) {
    case 'built':
      return `Rebuilt after a change at ${at}: ${report.written} written, ${report.unchanged} unchanged, ${report.removed} removed.`;
    case 'failed':
      return `The rebuild after a change at ${at} failed: see the report.`;
    case 'cancelled':
      return `The rebuild after a change was cancelled at ${at}.`;
  }
}

function formValues(settings: SiteSettings): Record<SiteField, string> {
  return {
    title: settings.title,
    description: settings.description,
    author: settings.author,
    base_url: settings.base_url,
    language: settings.language,
    posts_per_page: String(settings.posts_per_page),
    embeds: settings.embeds.join('\n'),
  };
}

/** The value `site.yml` holds for a field's text: a number for posts_per_page when it is one, a list for embeds. */
function typedValue(field: SiteField, text: string): unknown {
  if (field === 'posts_per_page') return /^\s*-?\d+\s*$/.test(text) ? Number(text) : text;
  if (field === 'embeds')
    return text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '');
  return text;
}

function fieldError(field: SiteField, text: string): string | undefined {
  const checked = siteSettingsSchema.shape[field].safeParse(typedValue(field, text));
  if (checked.success) return undefined;
  const [issue] = checked.error.issues;
  const where =
    field === 'embeds' && issue?.path[0] !== undefined ? ` (line ${Number(issue.path[0]) + 1})` : '';
  return `${issue?.message ?? 'is not valid'}${where}`;
}
