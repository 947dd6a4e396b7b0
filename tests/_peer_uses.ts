/** What one source file starts or imports, as far as a scan of its text can tell. */
export interface PeerUses {
  /** Programs started: literal `Deno.Command` names, `cmd:` fields, `run("x", [...])` calls. */
  commands: Set<string>;
  /** Top-level Python modules imported by Python code embedded in (or making up) the file. */
  pythonModules: Set<string>;
  /** npm packages imported through `npm:` specifiers, as `name@version`. */
  npmPackages: Set<string>;
}

const COMMAND = /new Deno\.Command\(\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z_$][\w$]*))/g;
const CMD_FIELD = /\bcmd:\s*"([\w./-]+)"/g;
const RUN_CALL = /\b(?:run|spawn|exec|command|start)\w*\(\s*"([\w./-]+)",\s*\[/g;
const PYTHON_IMPORT =
  /^\s*import\s+([A-Za-z_]\w*)[\w.]*\s*(?:,\s*([A-Za-z_]\w*))*\s*(?:$|\sas\s)/gm;
const PYTHON_FROM = /^\s*from\s+([A-Za-z_]\w*)[\w.]*\s+import\s/gm;
const NPM = /npm:(@[\w.-]+\/[\w.-]+|[\w.-]+)(?:@([\w.^~-]+))?/g;

/**
 * Scans one file's text for the peers it uses.
 *
 * @param text The file's text.
 * @returns The programs, Python modules and npm packages found.
 */
export function uses(text: string): PeerUses {
  const found: PeerUses = { commands: new Set(), pythonModules: new Set(), npmPackages: new Set() };
  for (const m of text.matchAll(COMMAND)) {
    const literal = m[1] ?? m[2];
    if (literal !== undefined) found.commands.add(literal);
    else if (m[3] !== undefined) {
      const constant = new RegExp(`\\bconst\\s+${m[3]}\\s*=\\s*"([^"]+)"`).exec(text);
      if (constant?.[1] !== undefined) found.commands.add(constant[1]);
    }
  }
  for (const m of text.matchAll(CMD_FIELD)) found.commands.add(m[1]!);
  for (const m of text.matchAll(RUN_CALL)) found.commands.add(m[1]!);
  for (const m of text.matchAll(PYTHON_IMPORT)) {
    for (const name of m[0].replace(/^\s*import\s+/, "").split(/\s+as\s|,/)) {
      const top = name.trim().split(".")[0];
      if (top && /^[A-Za-z_]\w*$/.test(top)) found.pythonModules.add(top);
    }
  }
  for (const m of text.matchAll(PYTHON_FROM)) found.pythonModules.add(m[1]!);
  for (const m of text.matchAll(NPM)) found.npmPackages.add(m[2] ? `${m[1]}@${m[2]}` : m[1]!);
  return found;
}
