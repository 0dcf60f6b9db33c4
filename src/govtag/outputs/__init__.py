"""What comes out: typed results, writers by format name, the HTML view, metrics, span changes
between systems and the Label Studio server client."""
