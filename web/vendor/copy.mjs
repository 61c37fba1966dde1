// Copies the pinned third-party browser files from node_modules/ into web/vendor/<name>-<version>/.
// Run `npm ci && npm run vendor` after changing a version in package.json; commit the result.
// Pages load only the copies, so nothing is fetched from elsewhere at run time.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const FILES = {
  "socket.io-client": ["dist/socket.io.esm.min.js", "dist/socket.io.esm.min.js.map", "LICENSE"],
  "axe-core": ["axe.min.js", "LICENSE", "LICENSE-3RD-PARTY.txt"],
};

const TYPES = { "socket.io-client": "socket.io.esm.min.d.ts" };

for (const [name, files] of Object.entries(FILES)) {
  const pkg = JSON.parse(readFileSync(join("node_modules", name, "package.json"), "utf8"));
  const target = join("web", "vendor", `${name}-${pkg.version}`);
  mkdirSync(target, { recursive: true });
  for (const file of files) {
    copyFileSync(join("node_modules", name, file), join(target, file.split("/").pop()));
  }
  writeFileSync(
    join(target, "SOURCE.md"),
    `# ${name} ${pkg.version}\n\n` +
      `Copied unchanged from the npm package \`${name}@${pkg.version}\` ` +
      `(${pkg.repository?.url ?? pkg.homepage ?? "npm registry"}), licence ${pkg.license}.\n` +
      `Files: ${files.map((f) => "`" + f + "`").join(", ")}.\n\n` +
      "Pinned in the repository's package.json; refresh with `npm ci && npm run vendor`.\n",
  );
  // The type checker (tsc, see tsconfig.json) reads the package's own types for the copy.
  if (TYPES[name]) writeFileSync(join(target, TYPES[name]), `export * from "${name}";\n`);
  console.log(`${name}@${pkg.version} -> ${target}`);
}
