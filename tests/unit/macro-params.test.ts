import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkArguments, readMacroDeclaration } from '../../src/core/macro-params';
import { readPythonLiteral } from '../../src/core/python-literal';

const note = `"""
---
title: "Note"
kind: "macro"
---
"""
# Not the doc: render's docstring wins.
import html

TAKES_BODY = True
PARAMS = {
    # The kind picks the colour.
    "kind": {"type": "str", "default": "info", "values": ["info", "warning"], "doc": "Which box"},
    'title': {
        "type": "str",
        "doc": "Shown " "above",  # adjacent strings join
    },
    "level": {"type": "int | float", "required": True},
}


async def render(context, post=None):
    """A box around its body.

    Lines are dedented,
        keeping deeper indentation.
    """
    return html.escape(context.get("body", ""))
`;

describe('reading a macro declaration without running it', () => {
  it('reads PARAMS, TAKES_BODY and the entrypoint docstring', () => {
    const declaration = readMacroDeclaration(note);
    expect(declaration).toEqual({
      params: [
        {
          name: 'kind',
          types: ['str'],
          required: false,
          default: 'info',
          values: ['info', 'warning'],
          doc: 'Which box',
        },
        { name: 'title', types: ['str'], required: false, values: [], doc: 'Shown above' },
        { name: 'level', types: ['int', 'float'], required: true, values: [], doc: '' },
      ],
      takesBody: true,
      doc: 'A box around its body.\n\nLines are dedented,\n    keeping deeper indentation.',
      problems: [],
    });
  });

  it('falls back to the comment lines that open the script, and says when nothing is declared', () => {
    const declaration = readMacroDeclaration(
      '"""\n---\ntitle: x\n---\n"""\n# One.\n# Two.\nimport re\n\ndef render(c):\n    return ""\n',
    );
    expect(declaration).toEqual({ params: null, takesBody: false, doc: 'One.\nTwo.', problems: [] });
  });

  it('names the line of a PARAMS it cannot read, and of each bad entry', () => {
    expect(readMacroDeclaration('x = 1\nPARAMS = dict(a=1)\n').problems).toEqual([
      { line: 2, message: expect.stringMatching(/^PARAMS: only plain values/) },
    ]);
    const declaration = readMacroDeclaration(
      'PARAMS = {\n  "a": "str",\n  "b": {"type": "text", "colour": 1},\n}',
    );
    expect(declaration.problems).toEqual([
      { line: 2, message: 'PARAMS["a"]: must be a dict such as {"type": "str", "doc": "…"}' },
      { line: 3, message: expect.stringContaining('PARAMS["b"]: unknown key "colour"') },
      { line: 3, message: 'PARAMS["b"]: unknown type "text"; use str, int, float or bool' },
    ]);
    expect(declaration.params).toEqual([{ name: 'b', types: [], required: false, values: [], doc: '' }]);
  });

  it('reads the declarations of the built-in macros', () => {
    const read = (name: string) => readMacroDeclaration(readFileSync(`defaults/${name}.py`, 'utf8'));
    const youtube = read('youtube');
    expect(youtube.problems).toEqual([]);
    expect(youtube.params?.map((param) => [param.name, param.types, param.required])).toEqual([
      ['id', ['str', 'int'], true],
      ['title', ['str'], false],
      ['start', ['int'], false],
    ]);
    expect(youtube.doc).toMatch(/^Embeds a YouTube video/);
    expect(read('vimeo').params?.map((param) => param.name)).toEqual(['id', 'title']);
    const cloud = read('tag_cloud');
    expect(cloud.params?.find((param) => param.name === 'orientation')).toMatchObject({
      default: 'horizontal',
      values: ['horizontal', 'mixed-hv', 'mixed-diagonal'],
    });
    expect(cloud.params?.find((param) => param.name === 'width')?.default).toBe(900);
  });
});

describe('Python literals', () => {
  it('reads scalars as Python writes them', () => {
    const read = (text: string) => {
      const result = readPythonLiteral(text, 0);
      return result.ok && result.value.kind === 'scalar' ? result.value.value : result;
    };
    expect(read('"a\\n\\"b\\""')).toBe('a\n"b"');
    expect(read("r'C:\\x'")).toBe('C:\\x');
    expect(read('"""three\nlines"""')).toBe('three\nlines');
    expect(read('-1_000')).toBe(-1000);
    expect(read('2.5')).toBe(2.5);
    expect(read('None')).toBe(null);
    expect(read('True')).toBe(true);
  });

  it('reads tuples as lists, and refuses what it would have to run', () => {
    expect(readPythonLiteral('("a", 1,)', 0)).toMatchObject({
      ok: true,
      value: { kind: 'list', items: [{ value: 'a' }, { value: 1 }] },
    });
    expect(readPythonLiteral('{"a": f"{x}"}', 0)).toMatchObject({ ok: false, offset: 6 });
    expect(readPythonLiteral('["a" "b"', 0)).toMatchObject({ ok: false, message: 'expected "," or "]"' });
    expect(readPythonLiteral('"open', 0)).toMatchObject({ ok: false, message: 'a string is never closed' });
  });
});

describe('checking arguments against a declaration', () => {
  const declaration = readMacroDeclaration(note);

  it('warns of an unknown parameter and of a value of the wrong type', () => {
    expect(
      checkArguments(
        'note',
        {
          kind: { type: 'int', value: 3 },
          colour: { type: 'str', value: 'red' },
          level: { type: 'int', value: 2 },
          title: { type: 'str', value: 'ok' },
        },
        declaration,
      ),
    ).toEqual([
      '[[note]]: kind should be str, not int 3 (quote it to pass a str)',
      '[[note]] has no parameter "colour"; it takes kind, title, level',
    ]);
  });

  it('accepts an int for a float, and anything when nothing is declared', () => {
    const floats = readMacroDeclaration('PARAMS = {"ratio": {"type": "float"}}');
    expect(checkArguments('x', { ratio: { type: 'int', value: 2 } }, floats)).toEqual([]);
    expect(checkArguments('x', { ratio: { type: 'bool', value: true } }, floats)).toEqual([
      '[[x]]: ratio should be float, not bool true',
    ]);
    expect(checkArguments('x', { any: { type: 'str', value: '' } }, readMacroDeclaration(''))).toEqual([]);
  });
});
