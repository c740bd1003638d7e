"""Batch processing (バッチ処理, 住民記録システム標準仕様書 9.1, requirement j1280): jobs declared by business
apps, started directly or by schedule, each run recorded, an abnormal end alerted. Business-neutral: the platform
knows jobs only through the registry (``kiban.platform.batch.registry``). See docs/operations/batch.md."""
