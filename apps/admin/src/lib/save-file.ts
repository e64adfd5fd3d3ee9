// Saving text the page produced (a CSV statement) as a file the browser downloads.

/** Saves text as a file through a temporary <a download>. */
export function saveFile(filename: string, content: string, type: string) {
  const url = URL.createObjectURL(new Blob([content], { type: `${type};charset=utf-8` }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.style.display = "none";
  document.body.append(a);
  a.click();
  a.remove();
  // Some browsers read the blob after click() returns; let them.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
