/**
 * File chooser and download for pages without native dialogs (browser
 * mode): a hidden <input type=file> for Open…, a Blob link for export.
 */

/** Shows the browser's file chooser (several files may be chosen); resolves with them, none when cancelled. */
export function pickFilesInPage(): Promise<File[]> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.multiple = true;
    input.hidden = true;
    const finish = (files: File[]) => {
      input.remove();
      resolve(files);
    };
    input.addEventListener('change', () => finish(Array.from(input.files ?? [])), { once: true });
    input.addEventListener('cancel', () => finish([]), { once: true });
    // Attached so that tests and assistive tools can find it; removed when done.
    document.body.append(input);
    input.click();
  });
}

export function downloadText(name: string, text: string, mimeType: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${mimeType};charset=utf-8` }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started from the URL by now; free the Blob soon after.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
