// Reads the `when:` conditions of the deployment code as far as they test axis variables, in
// three-valued logic: true, false, or undefined when the condition depends on anything else
// (facts, registered results, role defaults, filters) or uses syntax this reader does not know.
// Only a definite false lets the impact analysis say "this cell never runs that task". Pure.
export type Truth = boolean | undefined;

type Token = { kind: 'str' | 'num' | 'id' | 'op'; value: string };

export function evaluateWhen(condition: unknown, vars: Readonly<Record<string, unknown>>): Truth {
  if (condition === undefined || condition === null) return true;
  if (typeof condition === 'boolean') return condition;
  if (Array.isArray(condition)) return and(condition.map((c) => evaluateWhen(c, vars)));
  if (typeof condition !== 'string') return undefined;
  const tokens = tokenize(condition);
  if (!tokens) return undefined;
  const parser = new Parser(tokens, vars);
  const value = parser.parseOr();
  if (!parser.done() || parser.failed) return undefined;
  return asTruth(value);
}

function and(values: Truth[]): Truth {
  if (values.includes(false)) return false;
  return values.every((v) => v === true) ? true : undefined;
}

function or(values: Truth[]): Truth {
  if (values.includes(true)) return true;
  return values.every((v) => v === false) ? false : undefined;
}

const UNKNOWN = Symbol('unknown');
type Value = string | number | boolean | Value[] | typeof UNKNOWN;

function asTruth(value: Value): Truth {
  if (value === UNKNOWN) return undefined;
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}

function tokenize(text: string): Token[] | undefined {
  const tokens: Token[] = [];
  const re = /\s*(?:'([^']*)'|"([^"]*)"|(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(==|!=|\(|\)|\[|\]|,))/y;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return undefined;
    at = re.lastIndex;
    if (m[1] !== undefined || m[2] !== undefined) tokens.push({ kind: 'str', value: m[1] ?? m[2] ?? '' });
    else if (m[3] !== undefined) tokens.push({ kind: 'num', value: m[3] });
    else if (m[4] !== undefined) tokens.push({ kind: 'id', value: m[4] });
    else tokens.push({ kind: 'op', value: m[5] ?? '' });
  }
  return tokens;
}

class Parser {
  private at = 0;
  failed = false;
  private readonly tokens: Token[];
  private readonly vars: Readonly<Record<string, unknown>>;
  constructor(tokens: Token[], vars: Readonly<Record<string, unknown>>) {
    this.tokens = tokens;
    this.vars = vars;
  }

  done(): boolean {
    return this.at === this.tokens.length;
  }

  private peek(value: string): boolean {
    const t = this.tokens[this.at];
    return t !== undefined && (t.kind === 'op' || t.kind === 'id') && t.value === value;
  }

  private take(value: string): boolean {
    if (!this.peek(value)) return false;
    this.at++;
    return true;
  }

  parseOr(): Value {
    const parts: Value[] = [this.parseAnd()];
    while (this.take('or')) parts.push(this.parseAnd());
    return parts.length === 1 ? (parts[0] as Value) : fromTruth(or(parts.map(asTruth)));
  }

  private parseAnd(): Value {
    const parts: Value[] = [this.parseNot()];
    while (this.take('and')) parts.push(this.parseNot());
    return parts.length === 1 ? (parts[0] as Value) : fromTruth(and(parts.map(asTruth)));
  }

  private parseNot(): Value {
    if (this.take('not')) {
      const t = asTruth(this.parseNot());
      return t === undefined ? UNKNOWN : !t;
    }
    return this.parseCompare();
  }

  private parseCompare(): Value {
    const left = this.parseAtom();
    let op: string | undefined;
    if (this.take('==')) op = '==';
    else if (this.take('!=')) op = '!=';
    else if (this.peek('not') && this.tokens[this.at + 1]?.value === 'in') {
      this.at += 2;
      op = 'not in';
    } else if (this.take('in')) op = 'in';
    if (!op) return left;
    const right = this.parseAtom();
    if (left === UNKNOWN || right === UNKNOWN) return UNKNOWN;
    if (op === '==' || op === '!=') {
      const same = JSON.stringify(left) === JSON.stringify(right);
      return op === '==' ? same : !same;
    }
    if (!Array.isArray(right)) {
      if (typeof right === 'string' && typeof left === 'string')
        return right.includes(left) === (op === 'in');
      return UNKNOWN;
    }
    const found = right.some((v) => JSON.stringify(v) === JSON.stringify(left));
    return op === 'in' ? found : !found;
  }

  private parseAtom(): Value {
    const t = this.tokens[this.at++];
    if (!t) {
      this.failed = true;
      return UNKNOWN;
    }
    if (t.kind === 'str') return t.value;
    if (t.kind === 'num') return Number(t.value);
    if (t.kind === 'op' && t.value === '(') {
      const inner = this.parseOr();
      if (!this.take(')')) this.failed = true;
      return inner;
    }
    if (t.kind === 'op' && t.value === '[') {
      const items: Value[] = [];
      while (!this.take(']')) {
        if (this.done()) {
          this.failed = true;
          return UNKNOWN;
        }
        items.push(this.parseAtom());
        this.take(',');
      }
      return items.includes(UNKNOWN) ? UNKNOWN : items;
    }
    if (t.kind === 'id') {
      if (t.value === 'true' || t.value === 'True') return true;
      if (t.value === 'false' || t.value === 'False') return false;
      if (['and', 'or', 'not', 'in', 'is'].includes(t.value)) {
        this.failed = true;
        return UNKNOWN;
      }
      if (!Object.hasOwn(this.vars, t.value)) return UNKNOWN;
      return toValue(this.vars[t.value]);
    }
    this.failed = true;
    return UNKNOWN;
  }
}

function fromTruth(t: Truth): Value {
  return t === undefined ? UNKNOWN : t;
}

function toValue(v: unknown): Value {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(toValue);
  return UNKNOWN;
}
