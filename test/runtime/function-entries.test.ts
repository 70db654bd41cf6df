import { readFileSync } from 'node:fs';
import { FUNCTIONS, type FunctionName } from '../../lambda/http/routes';
import { HTTP_HANDLERS } from '../../lambda/runtime/wiring';

// Each HTTP function's entry (lambda/functions/*.ts) names itself, its handler and its dependency builder
// (`lambdaHandler('<function>', <handler>, <deps>)`): the name is what its log lines and metrics say, so it must be the
// route table's name of that very function, and the handler the one the local server runs under that name.

const ENTRY = /lambdaHandler\(\s*'(\w+)',\s*(\w+),\s*(\w+)\s*\)/;

it.each(Object.entries(FUNCTIONS) as [FunctionName, (typeof FUNCTIONS)[FunctionName]][])(
  '%s: its entry names itself and the handler HTTP_HANDLERS has under its name',
  async (name, definition) => {
    const text = readFileSync(definition.entry, 'utf8');
    const [, named, handler] = ENTRY.exec(text) ?? [];
    expect({ named, handler }).toEqual({ named: name, handler: name });
    const entryModule = await import(`../../${definition.entry}`);
    expect(typeof entryModule.handler).toBe('function');
    // The handler module the entry imports under that identifier is the wiring's (one object, not a copy).
    const source = /import \{[^}]*\b(\w+)\b[^}]*\} from '\.\.\/http\/([\w-]+)'/g;
    const modules = [...text.matchAll(source)].map((match) => match[2]);
    const imported = await Promise.all(modules.map((m) => import(`../../lambda/http/${m}`)));
    expect(imported.some((m) => m[name] === HTTP_HANDLERS[name])).toBe(true);
  },
);
