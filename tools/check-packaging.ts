/**
 * `npm run check-packaging [-- --pulumi <version>]`
 *
 * Proves that a user program gets one copy of the Pulumi SDK: packs the package (`npm pack`, from
 * the built bin/), installs the tarball into a scratch program that depends on a different
 * compatible `@pulumi/pulumi` than this repository's lockfile pins, and fails unless exactly one
 * `@pulumi/pulumi` is installed — that version — and the package's components are instances of that
 * copy's `ComponentResource`. A nested second copy would make `instanceof` false and double the
 * install.
 *
 * Offline-friendly: the other version is one the npm cache holds when there is one, else
 * `FALLBACK_PULUMI` (from the registry); the AWS, Kubernetes and random SDKs are this repository's
 * installed versions, which the cache holds. Writes only under .scratch/check-packaging/, removed
 * afterwards.
 */
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import * as path from "node:path";
import * as semver from "semver";

const ROOT = path.resolve(__dirname, "..");
const SDK = "@pulumi/pulumi";
/** The peers a user program installs beside the package, at this repository's installed versions. */
const PEERS = ["@pulumi/aws", "@pulumi/kubernetes", "@pulumi/random"];
/** A compatible release other than the lockfile's, when the npm cache holds none. */
const FALLBACK_PULUMI = "3.247.0";

interface Manifest {
  name: string;
  version: string;
  peerDependencies?: Record<string, string>;
  dependencies?: Record<string, string>;
}

function manifest(dir: string): Manifest {
  return JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
}

function npm(args: string[], cwd: string): string {
  return execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Versions of `name` whose tarballs the npm cache holds. */
function cachedVersions(name: string): string[] {
  const index = path.join(npm(["config", "get", "cache"], ROOT).trim(), "_cacache", "index-v5");
  if (!existsSync(index)) return [];
  const key = new RegExp(`"key":"pacote:tarball:${name.replace("/", "\\/")}@([^"]+)"`, "g");
  const found = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else for (const m of readFileSync(file, "latin1").matchAll(key)) found.add(m[1]);
    }
  };
  walk(index);
  return [...found];
}

/** The `@pulumi/pulumi` the scratch program uses: given, or cached, or the fallback; never the pinned one. */
function otherPulumi(range: string, pinned: string, given: string | undefined): string {
  if (given !== undefined) return given;
  const cached = cachedVersions(SDK)
    .filter((v) => v !== pinned && semver.satisfies(v, range))
    .sort(semver.rcompare);
  return cached[0] ?? FALLBACK_PULUMI;
}

/** Every installed copy of `name` under `dir`, as `relative path@version`. */
export function installedCopies(dir: string, name: string): string[] {
  const copies: string[] = [];
  const walk = (modules: string): void => {
    if (!existsSync(modules)) return;
    for (const entry of readdirSync(modules)) {
      const scoped = entry.startsWith("@");
      const packages = scoped ? readdirSync(path.join(modules, entry)).map((p) => `${entry}/${p}`) : [entry];
      for (const pkg of packages) {
        const at = path.join(modules, pkg);
        if (!existsSync(path.join(at, "package.json"))) continue;
        if (pkg === name) copies.push(`${path.relative(dir, at)}@${manifest(at).version}`);
        walk(path.join(at, "node_modules"));
      }
    }
  };
  walk(path.join(dir, "node_modules"));
  return copies;
}

/** `npm ls <name> --all`: every resolution of `name` in the tree, as versions. */
function listedVersions(dir: string, name: string): string[] {
  interface Node {
    version?: string;
    dependencies?: Record<string, Node>;
  }
  const tree: Node = JSON.parse(npm(["ls", name, "--all", "--json"], dir));
  const versions = new Set<string>();
  const walk = (node: Node): void => {
    for (const [dep, child] of Object.entries(node.dependencies ?? {})) {
      if (dep === name && child.version) versions.add(child.version);
      walk(child);
    }
  };
  walk(tree);
  return [...versions];
}

function main(): void {
  const started = performance.now();
  const args = process.argv.slice(2);
  const given = args[0] === "--pulumi" ? args[1] : undefined;
  const pkg = manifest(ROOT);
  const range = pkg.peerDependencies?.[SDK];
  if (range === undefined || pkg.dependencies?.[SDK] !== undefined)
    throw new Error(`${SDK} must be a peer dependency only (it is what the user's program brings)`);
  const pinned = manifest(path.join(ROOT, "node_modules", SDK)).version;
  const version = otherPulumi(range, pinned, given);
  if (version === pinned || !semver.satisfies(version, range))
    throw new Error(`${SDK}@${version} must differ from the pinned ${pinned} and satisfy ${range}`);
  if (!existsSync(path.join(ROOT, "bin", "index.js"))) npm(["run", "build"], ROOT);

  mkdirSync(path.join(ROOT, ".scratch"), { recursive: true });
  const scratch = mkdtempSync(path.join(ROOT, ".scratch", "check-packaging-"));
  try {
    const packed: { filename: string }[] = JSON.parse(
      npm(["pack", "--ignore-scripts", "--json", "--pack-destination", scratch], ROOT),
    );
    const tarball = path.join(scratch, packed[0].filename);
    const program = path.join(scratch, "program");
    mkdirSync(program);
    const peers = Object.fromEntries(
      PEERS.map((peer) => [peer, manifest(path.join(ROOT, "node_modules", peer)).version]),
    );
    writeFileSync(
      path.join(program, "package.json"),
      JSON.stringify(
        {
          name: "check-packaging-program",
          private: true,
          dependencies: { [pkg.name]: `file:${tarball}`, [SDK]: version, ...peers },
        },
        null,
        2,
      ),
    );
    npm(
      ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
      program,
    );

    const copies = installedCopies(program, SDK);
    const listed = listedVersions(program, SDK);
    const problems: string[] = [];
    if (copies.length !== 1 || copies[0] !== `node_modules/${SDK}@${version}`)
      problems.push(`installed copies of ${SDK}: ${copies.join(", ") || "none"} (expected only ${version})`);
    if (listed.length !== 1 || listed[0] !== version)
      problems.push(`npm ls ${SDK} --all resolves ${listed.join(", ")} (expected only ${version})`);
    // The symptom a second copy causes: the package's components are not the program's ComponentResources.
    const probe =
      `const p=require("${SDK}");const u=require("${pkg.name}");` +
      `process.stdout.write(String(u.UsageEngineStack.prototype instanceof p.ComponentResource))`;
    const sameClass = execFileSync(process.execPath, ["-e", probe], { cwd: program, encoding: "utf8" });
    if (sameClass !== "true")
      problems.push(`UsageEngineStack is not an instance of the program's ${SDK} ComponentResource`);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (problems.length > 0) {
      console.error(`check-packaging failed (${seconds} s):\n  ${problems.join("\n  ")}`);
      process.exitCode = 1;
      return;
    }
    console.log(
      `check-packaging: ${pkg.name}@${pkg.version} with ${SDK}@${version} (lockfile pins ${pinned}) ` +
        `installs one copy of ${SDK}, shared by the package (${seconds} s)`,
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) main();
