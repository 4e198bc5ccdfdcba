import type { Post } from '../core/post';
import type { PostStore } from '../storage/post-store';
import type { ScriptStore } from '../storage/script-store';

/** Where the sample project goes: the app's own stores. */
export interface SampleProjectTargets {
  scripts: Pick<ScriptStore, 'create'>;
  posts: Pick<PostStore, 'create' | 'save'>;
}

const sampleMacro = `def render(context):
    """Greets someone by name: [[greeting name="reader"]].

    name: who to greet; default "world". The result is HTML, which Pymark sanitizes.
    """
    import html

    name = str(context["params"].get("name", "world"))
    return {"html": f'<p class="greeting">Hello, <strong>{html.escape(name)}</strong>!</p>'}
`;

const sampleUtility = `# A utility runs when you press Run (Ctrl/Cmd+Enter) and prints to the output panel.
DRAFT = """Paste a paragraph of a post here, press Run, and see how long it takes to read."""
WORDS_PER_MINUTE = 230


def main():
    words = len(DRAFT.split())
    minutes = max(1, round(words / WORDS_PER_MINUTE))
    print(f"{words} words: about {minutes} minute(s) to read")
    return minutes
`;

function welcomeBody(greetingSlug: string): string {
  return `Welcome! This post shows what Pymark does: the calls in double square brackets below are
*macros*, small Python scripts that turn into HTML in the preview and on your site.

## A macro of your own

The sample macro **Greeting** (in Scripts) says hello:

[[${greetingSlug} name="reader"]]

Open it, change the greeting and save: this preview follows.

## The built-in macros

A YouTube video:

[[youtube id="dQw4w9WgXcQ" title="Never Gonna Give You Up"]]

A Vimeo video:

[[vimeo id=76979871]]

A cloud of the tags of your published posts:

[[tag_cloud]]

A grid of the images inserted into this post, and the project's images by month. Until you add some
in Media, the preview lists a warning for each that says how:

[[gallery columns=3]]

[[photo_archive]]

## Next

Press **Help** for the guide, or **Ctrl/Cmd+K** to search. The sample utility **Reading time** (in
Scripts) tells how long a paragraph takes to read when you press Run.
`;
}

/**
 * Adds the sample project a new, empty app offers: a sample macro with a docstring, a sample
 * utility, and a published welcome post that calls the sample macro and each built-in macro.
 * Returns the welcome post, to open.
 */
export async function addSampleProject(targets: SampleProjectTargets): Promise<Post> {
  const greeting = await targets.scripts.create({ title: 'Greeting', kind: 'macro', body: sampleMacro });
  await targets.scripts.create({ title: 'Reading time', kind: 'utility', body: sampleUtility });
  const welcome = await targets.posts.create({
    title: 'Welcome to Pymark',
    // The macro's slug may differ from `greeting` when that one is taken.
    body: welcomeBody(greeting.slug),
    tags: ['pymark', 'python', 'welcome'],
  });
  return targets.posts.save(welcome.id, { status: 'published' });
}
