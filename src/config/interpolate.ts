// ${VAR} and ${VAR:-default} in config strings; $${ writes a literal ${.

const TOKEN = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface Interpolated {
  value: string;
  /** True when at least one variable was substituted. */
  substituted: boolean;
  /** Variables that are unset and have no default. */
  missing: string[];
}

/** Replaces variables in `text` from `env`. An empty variable counts as set. */
export function interpolate(text: string, env: Record<string, string | undefined>): Interpolated {
  const missing: string[] = [];
  let substituted = false;
  const value = text.replace(TOKEN, (whole, name: string | undefined, fallback: string | undefined) => {
    if (whole === "$${") return "${";
    substituted = true;
    const v = env[name!];
    if (v !== undefined) return v;
    if (fallback !== undefined) return fallback;
    missing.push(name!);
    return "";
  });
  return { value, substituted, missing };
}
