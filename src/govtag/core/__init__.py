"""The shared vocabulary every stage reads: errors, labels, text, the prepared report, atomic
writes, fitted arrays on disk, Label Studio exports and the component interfaces."""
