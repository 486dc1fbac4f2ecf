# hozon の日本語メッセージカタログ（Project Fluent）。en.ftl のすべての
# メッセージに対応するものがここにある（クレートのテストで確認）。

## 判定の語（ETSI のコードの横に表示）。
verdict-TOTAL_PASSED = 有効
verdict-TOTAL_FAILED = 無効
verdict-INDETERMINATE = 判定不能

## 判定（ETSI EN 319 102-1 表4）：意味と対処。
explain-TOTAL_PASSED = すべての検査に合格しました。署名は改ざんされておらず、署名者の証明書は信頼する認証局につながり、署名の時点で有効で失効していませんでした。
    .action = 対処は不要です。署名と検証データを保管し、アーカイブタイムスタンプは更新期限までに更新してください。
explain-TOTAL_FAILED = 署名が無効であることが証明されました。文書または署名が変更されたか、署名の時点で証明書が失効していたか有効ではありませんでした。
    .action = この文書を署名済みとして扱わないでください。原本を探すか改めて署名を受け、事案として記録してください。
explain-INDETERMINATE = 手元のデータでは、署名が有効とも無効とも証明できませんでした。
    .action = 下の理由を確認してください。多くの場合、検証データ（証明書、失効情報、タイムスタンプ）が不足しており、追加できます。

## 詳細判定（ETSI EN 319 102-1 表5）。
explain-FORMAT_FAILURE = ファイルが正しい形式の署名ではありません（CAdES/CMS、PDF または証拠記録の構造が壊れています）。
    .action = 正しいファイルか、途中で切れたり変換されたりしていないかを確認し、署名者から改めて入手してください。
explain-HASH_FAILURE = 文書が署名されたものと異なります。文書のハッシュ値が署名されたハッシュ値と一致しません。
    .action = 署名後に文書が変更されたか、署名の横に別の文書があります。原本の文書を探してください。
explain-SIG_CRYPTO_FAILURE = 署名値が署名者の公開鍵で検証できません。署名が壊れているか偽造されています。
    .action = 文書を未署名として扱い、元の署名ファイルを入手してください。
explain-REVOKED = 署名者の証明書は署名の前に失効していました。
    .action = 署名は無効です。証明書が失効した理由を署名者の組織に確認し、改めて署名を受けてください。
explain-NOT_YET_VALID = 署名の時点で署名者の証明書はまだ有効期間に入っていませんでした。
    .action = 署名者の時計と証明書を確認し、有効な証明書で改めて署名を受けてください。
explain-EXPIRED = 署名が存在したと証明できる時刻より前に、署名者の証明書の有効期間が終わっていました。
    .action = 期限切れの証明書で署名されています。改めて署名を受けてください。
explain-NO_SIGNING_CERTIFICATE_FOUND = 署名者の証明書が署名に含まれていないか、署名者の識別子と一致しません。
    .action = --certs で署名者の証明書を与えるか、証明書を含む署名を入手してください。
explain-NO_CERTIFICATE_CHAIN_FOUND = 署名者の証明書から信頼する認証局（トラストアンカー）までの証明書のつながりが見つかりません。
    .action = 発行した認証局（HPKI ルートなど）を --trust で、中間認証局の証明書を --certs で与えてください。
explain-CERTIFICATE_CHAIN_GENERAL_FAILURE = 証明書チェーンの中の証明書が壊れています（署名が検証できないなど）。
    .action = 与えた認証局の証明書を確認し、認証局から正しいものを入手してください。
explain-CHAIN_CONSTRAINTS_FAILURE = 証明書チェーンが RFC 5280 またはポリシーの制約（鍵用途、パス長、名前制約）に反しています。
    .action = この証明書は文書への署名に使えない可能性があります。認証局に確認してください。
explain-REVOKED_NO_POE = 署名者の証明書は失効しており、署名が失効より前に存在したことを示す証拠がありません。
    .action = 失効より前のタイムスタンプがなければ署名は信頼できません。タイムスタンプ付きの古い写しを探してください。
explain-REVOKED_CA_NO_POE = チェーン中の認証局の証明書が失効しており、署名がそれより前に存在したことを示す証拠がありません。
    .action = 認証局の失効より前のタイムスタンプまたは証拠記録を探し、なければ改めて署名を受けてください。
explain-OUT_OF_BOUNDS_NO_POE = 署名が存在したと証明できる時刻より前に、証明書の有効期間が終わっています。
    .action = アーカイブタイムスタンプを期限内に更新するか、証明書の有効期間内に署名が存在したことを示すタイムスタンプまたは証拠記録を取得してください。
explain-OUT_OF_BOUNDS_NOT_REVOKED = 署名が存在したと証明できる時刻より前に証明書の有効期間が終わっています。失効していないことは確認できています。
    .action = 証明書の有効期間内に署名が存在したことを示すタイムスタンプまたは証拠記録を取得してください。
explain-CRYPTO_CONSTRAINTS_FAILURE_NO_POE = アルゴリズムまたは鍵長が現在は安全とされず、安全だった時期に署名が存在したことを示す証拠がありません。
    .action = 次のアルゴリズム期限までに、現行のアルゴリズムでアーカイブタイムスタンプを追加してください（docs/crypto-policy.md 参照）。
explain-CRYPTO_CONSTRAINTS_FAILURE = アルゴリズムまたは鍵長がそもそも認められていないか、対応していません。
    .action = 署名は信頼できません。現行のアルゴリズムで改めて署名を受けてください。
explain-SIG_CONSTRAINTS_FAILURE = 署名ポリシーが求める属性が署名にありません。
    .action = それらの属性を含むプロファイルで改めて署名を受けてください。
explain-TIMESTAMP_ORDER_FAILURE = タイムスタンプの順序がありえないものです（後のものが前の時刻を示しています）。
    .action = 時刻認証局の時計かファイルに誤りがあります。署名を信頼する前に調査してください。
explain-NO_POE = 署名または検証データがいつ存在したかを示す証拠がありません。
    .action = できるだけ早くタイムスタンプを付与してください（hozon extend）。
explain-TRY_LATER = 必要な時刻を含む失効情報がまだ入手できません。
    .action = 認証局が新しい失効情報を公開した後に、もう一度検証してください。
explain-SIGNED_DATA_NOT_FOUND = 署名された文書が見つかりません。
    .action = 文書を署名の横に置く（X.p7s に対して X）か、--content で与えてください。

## `hozon verify` の端末出力。
term-verdict = { $word } { $code }
term-error = エラー
term-warning = 警告
term-timestamp = { $kind } タイムスタンプ { $time }（{ $tsa }）: { $result }
term-unidentified-tsa = 不明な時刻認証局
term-existed-at = { $object } は { $time } に存在していました
term-renew-by = 更新期限 { $date }: 証拠記録の次の更新はこの日時より前に必要です
term-renew-by-because = （理由: { $reason }）
term-signer-unknown = 署名者不明
term-evidence-over = { $object } に対する証拠記録
term-no-data-object = データオブジェクトなし
term-counter-signature = { $who } による副署名: { $verdict }
term-unsigned = 署名なし  { $file }  （署名のない PDF）
term-summary = 署名 { $total } 件: 有効 { $passed } 件、無効 { $failed } 件、判定不能 { $indeterminate } 件（検証時刻 { $time }）
term-evidence-summary = 証拠記録 { $total } 件: 有効 { $passed } 件、無効 { $failed } 件、判定不能 { $indeterminate } 件
term-report-written = 報告書を書き出しました: { $file }

## 進捗バー（バーの前のラベル）。
progress-verifying = 検証中
progress-scanning = スキャン検査中
progress-signing = 署名中
progress-time-stamping = タイムスタンプ付与中
progress-extending = 延長中
progress-hashing = ハッシュ計算中
progress-archiving = 保存中
progress-evidence = 証拠記録作成中
progress-renewing = 更新中
progress-restoring = 復元中

## 印刷用の報告書（HTML と PDF）。
report-title = 署名検証報告書
report-generated = 作成日時
report-page = { $page } ページ
report-contents = 目次
report-summary = 概要
report-verdicts = 判定別の件数
report-verdict = 判定
report-count = 件数
report-total = 合計
report-by-level = 署名レベル別
report-level = レベル
report-by-signer = 署名者・資格別
report-signer = 署名者
report-role = 資格（hcRole）
report-by-folder = フォルダ別
report-folder = フォルダ
report-validation-time = 検証時刻
report-policy = 検証ポリシー
report-trust-anchors = トラストアンカー
report-fingerprint = SHA-256 フィンガープリント
report-crypto-policy = 暗号アルゴリズムのポリシー
report-revocation-mode = 失効確認
report-version = hozon のバージョン
report-host = ホスト
report-meanings = 判定の意味
report-details = ファイルごとの詳細
report-group = { $verdict }（{ $count } 件）
report-file = ファイル
report-document = 文書
report-sha256 = SHA-256
report-format = 形式
report-issuer = 発行者
report-serial = 証明書のシリアル番号
report-claimed-time = 署名者が記載した署名時刻
report-proven-time = 存在が証明された時刻
report-timestamps = タイムスタンプ
report-ts-kind = 種類
report-ts-time = 時刻
report-ts-tsa = 時刻認証局
report-ts-result = 結果
report-revocation = 失効情報
report-evidence-records = 証拠記録
report-data-object = データオブジェクト
report-archive-time-stamps = アーカイブタイムスタンプ数
report-digest-algorithms = ハッシュアルゴリズム
report-renew-by = 更新期限
report-renew-by-reason = 理由
report-errors = エラー
report-warnings = 警告
report-meaning = 意味
report-action = 対処
report-none = なし
report-file-errors = 検証できなかったファイル
report-unsigned-files = 署名のない PDF
report-evidence-summary = 証拠記録
report-no-signer = 署名者不明
report-revocation-none = 報告データには失効情報の一覧がありません。警告を参照してください。
