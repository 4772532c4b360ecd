import Foundation
import PlumbHTTP
import Testing

@testable import PlumbProviderAWS

/// One case of AWS's SigV4 test suite ("aws-sig-v4-test-suite", the 2015 edition: credential
/// scope AKIDEXAMPLE/20150830/us-east-1/service/aws4_request). `target` is the request-target
/// of the `.req` file; `canonicalRequest`, `stringToSign` and `authorization` are the
/// `.creq`, `.sts` and `.authz` files, verbatim.
struct SuiteVector: Sendable, CustomTestStringConvertible {
    var name: String
    var method: String
    var target: String
    var headers: [(name: String, value: String)]
    var body: String? = nil
    var canonicalRequest: String
    var stringToSign: String
    var authorization: String

    var testDescription: String { name }

    var request: HTTPRequest {
        HTTPRequest(
            method: method, url: "https://example.amazonaws.com" + target, headers: headers,
            body: body.map { Data($0.utf8) })
    }
}

enum Suite {
    static let accessKeyID = "AKIDEXAMPLE"
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let amzDate = "20150830T123600Z"
    /// 2015-08-30T12:36:00Z
    static let date = Date(timeIntervalSince1970: 1_440_938_160)
    static let signer = SigV4Signer(
        credentials: AWSCredentials(accessKeyID: accessKeyID, secretAccessKey: secret), region: "us-east-1",
        service: "service")
    static let token =
        "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="
    static let unreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

    static let hostAndDate: [(name: String, value: String)] = [
        ("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z"),
    ]

    static let vectors: [SuiteVector] = [
        SuiteVector(
            name: "get-vanilla", method: "GET", target: "/", headers: hostAndDate,
            canonicalRequest: """
                GET
                /

                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        ),
        SuiteVector(
            name: "get-vanilla-query", method: "GET", target: "/", headers: hostAndDate,
            canonicalRequest: """
                GET
                /

                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        ),
        SuiteVector(
            name: "get-vanilla-empty-query-key", method: "GET", target: "/?Param1=value1", headers: hostAndDate,
            canonicalRequest: """
                GET
                /
                Param1=value1
                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                1e24db194ed7d0eec2de28d7369675a243488e08526e8c1c73571282f7c517ab
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"
        ),
        SuiteVector(
            name: "get-vanilla-query-order-key", method: "GET", target: "/?Param1=value2&Param1=Value1",
            headers: hostAndDate,
            canonicalRequest: """
                GET
                /
                Param1=Value1&Param1=value2
                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                704b4cef673542d84cdff252633f065e8daeba5f168b77116f8b1bcaf3d38f89
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"
        ),
        SuiteVector(
            name: "get-vanilla-query-order-key-case", method: "GET", target: "/?Param2=value2&Param1=value1",
            headers: hostAndDate,
            canonicalRequest: """
                GET
                /
                Param1=value1&Param2=value2
                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
        ),
        SuiteVector(
            name: "get-vanilla-query-order-value", method: "GET", target: "/?Param1=value2&Param1=value1",
            headers: hostAndDate,
            canonicalRequest: """
                GET
                /
                Param1=value1&Param1=value2
                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                c968629d70850097a2d8781c9bf7edcb988b04cac14cca9be4acc3595f884606
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"
        ),
        SuiteVector(
            name: "get-vanilla-query-unreserved", method: "GET", target: "/?\(unreserved)=\(unreserved)",
            headers: hostAndDate,
            canonicalRequest: """
                GET
                /
                -._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz
                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                c30d4703d9f799439be92736156d47ccfb2d879ddf56f5befa6d1d6aab979177
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"
        ),
        SuiteVector(
            name: "get-vanilla-utf8-query", method: "GET", target: "/?\u{1234}=bar", headers: hostAndDate,
            canonicalRequest: """
                GET
                /
                %E1%88%B4=bar
                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                eb30c5bed55734080471a834cc727ae56beb50e5f39d1bff6d0d38cb192a7073
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"
        ),
        SuiteVector(
            name: "get-utf8", method: "GET", target: "/\u{1234}", headers: hostAndDate,
            canonicalRequest: """
                GET
                /%E1%88%B4

                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                2a0a97d02205e45ce2e994789806b19270cfbbb0921b278ccf58f5249ac42102
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"
        ),
        SuiteVector(
            name: "get-space", method: "GET", target: "/example space/", headers: hostAndDate,
            canonicalRequest: """
                GET
                /example%20space/

                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                63ee75631ed7234ae61b5f736dfc7754cdccfedbff4b5128a915706ee9390d86
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"
        ),
        SuiteVector(
            name: "get-unreserved", method: "GET", target: "/\(unreserved)", headers: hostAndDate,
            canonicalRequest: """
                GET
                /-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz

                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                6a968768eefaa713e2a6b16b589a8ea192661f098f37349f4e2c0082757446f9
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"
        ),
        // normalize-path/
        SuiteVector(
            name: "get-slash", method: "GET", target: "//", headers: hostAndDate,
            canonicalRequest: """
                GET
                /

                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        ),
        SuiteVector(
            name: "get-slashes", method: "GET", target: "//example//", headers: hostAndDate,
            canonicalRequest: """
                GET
                /example/

                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                cb96b4ac96d501f7c5c15bc6d67b3035061cfced4af6585ad927f7e6c985c015
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"
        ),
        SuiteVector(
            name: "get-slash-dot-slash", method: "GET", target: "/./", headers: hostAndDate,
            canonicalRequest: """
                GET
                /

                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        ),
        SuiteVector(
            name: "get-slash-pointless-dot", method: "GET", target: "/./example", headers: hostAndDate,
            canonicalRequest: """
                GET
                /example

                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                214d50c111a8edc4819da6a636336472c916b5240f51e9a51b5c3305180cf702
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5"
        ),
        SuiteVector(
            name: "get-relative", method: "GET", target: "/example/..", headers: hostAndDate,
            canonicalRequest: """
                GET
                /

                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        ),
        SuiteVector(
            name: "get-relative-relative", method: "GET", target: "/example1/example2/../..", headers: hostAndDate,
            canonicalRequest: """
                GET
                /

                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        ),
        // Headers
        SuiteVector(
            name: "get-header-key-duplicate", method: "GET", target: "/",
            headers: [
                ("Host", "example.amazonaws.com"), ("My-Header1", "value2"), ("My-Header1", "value2"),
                ("My-Header1", "value1"), ("X-Amz-Date", "20150830T123600Z"),
            ],
            canonicalRequest: """
                GET
                /

                host:example.amazonaws.com
                my-header1:value2,value2,value1
                x-amz-date:20150830T123600Z

                host;my-header1;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                dc7f04a3abfde8d472b0ab1a418b741b7c67174dad1551b4117b15527fbe966c
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"
        ),
        SuiteVector(
            name: "get-header-value-order", method: "GET", target: "/",
            headers: [
                ("Host", "example.amazonaws.com"), ("My-Header1", "value4"), ("My-Header1", "value1"),
                ("My-Header1", "value3"), ("My-Header1", "value2"), ("X-Amz-Date", "20150830T123600Z"),
            ],
            canonicalRequest: """
                GET
                /

                host:example.amazonaws.com
                my-header1:value4,value1,value3,value2
                x-amz-date:20150830T123600Z

                host;my-header1;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                31ce73cd3f3d9f66977ad3dd957dc47af14df92fcd8509f59b349e9137c58b86
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"
        ),
        SuiteVector(
            name: "get-header-value-trim", method: "GET", target: "/",
            headers: [
                ("Host", "example.amazonaws.com"), ("My-Header1", " value1"), ("My-Header2", " \"a   b   c\""),
                ("X-Amz-Date", "20150830T123600Z"),
            ],
            canonicalRequest: """
                GET
                /

                host:example.amazonaws.com
                my-header1:value1
                my-header2:"a b c"
                x-amz-date:20150830T123600Z

                host;my-header1;my-header2;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;my-header2;x-amz-date, Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"
        ),
        // POST
        SuiteVector(
            name: "post-vanilla", method: "POST", target: "/", headers: hostAndDate,
            canonicalRequest: """
                POST
                /

                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
        ),
        SuiteVector(
            name: "post-vanilla-query", method: "POST", target: "/?Param1=value1", headers: hostAndDate,
            canonicalRequest: """
                POST
                /
                Param1=value1
                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                9d659678c1756bb3113e2ce898845a0a79dbbc57b740555917687f1b3340fbbd
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"
        ),
        SuiteVector(
            name: "post-vanilla-empty-query-value", method: "POST", target: "/?Param1=value1", headers: hostAndDate,
            canonicalRequest: """
                POST
                /
                Param1=value1
                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                9d659678c1756bb3113e2ce898845a0a79dbbc57b740555917687f1b3340fbbd
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"
        ),
        SuiteVector(
            name: "post-header-key-case", method: "POST", target: "/", headers: hostAndDate,
            canonicalRequest: """
                POST
                /

                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
        ),
        SuiteVector(
            name: "post-header-key-sort", method: "POST", target: "/",
            headers: [
                ("Host", "example.amazonaws.com"), ("My-Header1", "value1"), ("X-Amz-Date", "20150830T123600Z"),
            ],
            canonicalRequest: """
                POST
                /

                host:example.amazonaws.com
                my-header1:value1
                x-amz-date:20150830T123600Z

                host;my-header1;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                9368318c2967cf6de74404b30c65a91e8f6253e0a8659d6d5319f1a812f87d65
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"
        ),
        SuiteVector(
            name: "post-header-value-case", method: "POST", target: "/",
            headers: [
                ("Host", "example.amazonaws.com"), ("My-Header1", "VALUE1"), ("X-Amz-Date", "20150830T123600Z"),
            ],
            canonicalRequest: """
                POST
                /

                host:example.amazonaws.com
                my-header1:VALUE1
                x-amz-date:20150830T123600Z

                host;my-header1;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                d51ced243e649e3de6ef63afbbdcbca03131a21a7103a1583706a64618606a93
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"
        ),
        SuiteVector(
            name: "post-x-www-form-urlencoded", method: "POST", target: "/",
            headers: [
                ("Content-Type", "application/x-www-form-urlencoded"), ("Host", "example.amazonaws.com"),
                ("X-Amz-Date", "20150830T123600Z"),
            ],
            body: "Param1=value1",
            canonicalRequest: """
                POST
                /

                content-type:application/x-www-form-urlencoded
                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                content-type;host;x-amz-date
                9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"
        ),
        SuiteVector(
            name: "post-x-www-form-urlencoded-parameters", method: "POST", target: "/",
            headers: [
                ("Content-Type", "application/x-www-form-urlencoded; charset=utf8"), ("Host", "example.amazonaws.com"),
                ("X-Amz-Date", "20150830T123600Z"),
            ],
            body: "Param1=value1",
            canonicalRequest: """
                POST
                /

                content-type:application/x-www-form-urlencoded; charset=utf8
                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                content-type;host;x-amz-date
                9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                2e1cf7ed91881a30569e46552437e4156c823447bf1781b921b5d486c568dd1c
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"
        ),
        // post-sts-token/: the token sent as a header before signing is signed like any header.
        SuiteVector(
            name: "post-sts-header-before", method: "POST", target: "/",
            headers: [
                ("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z"), ("X-Amz-Security-Token", token),
            ],
            canonicalRequest: """
                POST
                /

                host:example.amazonaws.com
                x-amz-date:20150830T123600Z
                x-amz-security-token:\(token)

                host;x-amz-date;x-amz-security-token
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"
        ),
    ]

    static func vector(_ name: String) -> SuiteVector? { vectors.first { $0.name == name } }
}

@Suite("SigV4 against AWS's test suite")
struct SigV4SuiteTests {
    @Test(arguments: Suite.vectors)
    func canonicalRequest(_ vector: SuiteVector) {
        #expect(Suite.signer.canonicalRequest(for: vector.request, amzDate: Suite.amzDate) == vector.canonicalRequest)
    }

    @Test(arguments: Suite.vectors)
    func stringToSign(_ vector: SuiteVector) {
        let canonical = Suite.signer.canonicalRequest(for: vector.request, amzDate: Suite.amzDate)
        #expect(Suite.signer.stringToSign(canonicalRequest: canonical, amzDate: Suite.amzDate) == vector.stringToSign)
    }

    /// Signed at another instant: the request's own `X-Amz-Date` wins, as in the suite.
    @Test(arguments: Suite.vectors)
    func authorization(_ vector: SuiteVector) {
        let signed = Suite.signer.sign(vector.request, date: Date(timeIntervalSince1970: 0))
        #expect(values(signed, "Authorization") == [vector.authorization])
        #expect(values(signed, "X-Amz-Date") == [Suite.amzDate])
        // Nothing else is added or reordered.
        #expect(signed.headers.dropLast().map(\.name) == vector.headers.map(\.name))
        #expect(signed.headers.dropLast().map(\.value) == vector.headers.map(\.value))
        #expect(signed.url == vector.request.url)
        #expect(signed.body == vector.request.body)
    }

    /// post-sts-header-after: the token is added once the request is signed, so it is not
    /// signed; the result is post-vanilla's signature.
    @Test func stsHeaderAfter() throws {
        let vanilla = try #require(Suite.vector("post-vanilla"))
        var signed = Suite.signer.sign(vanilla.request, date: Suite.date)
        signed.headers.append((name: "X-Amz-Security-Token", value: Suite.token))
        #expect(Suite.signer.canonicalRequest(for: vanilla.request, amzDate: Suite.amzDate) == vanilla.canonicalRequest)
        #expect(
            values(signed, "Authorization") == [
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
            ])
    }

    /// kSigning from AWS's documentation ("Examples of how to derive a signing key for
    /// Signature Version 4"): secret wJalr…EXAMPLEKEY, 20120215, us-east-1, iam.
    @Test func documentedSigningKey() {
        let key = SigV4Signer.signingKey(
            secretAccessKey: Suite.secret, dateStamp: "20120215", region: "us-east-1", service: "iam")
        #expect(
            key.withUnsafeBytes { SigV4Signer.hex($0) }
                == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d")
    }
}

@Suite("SigV4 signing behaviour")
struct SigV4BehaviourTests {
    /// A session token from the credentials is added as a header and signed: the same
    /// canonical request, string to sign and signature as the suite's post-sts-header-before.
    @Test func sessionTokenIsAddedAndSigned() throws {
        let before = try #require(Suite.vector("post-sts-header-before"))
        let vanilla = try #require(Suite.vector("post-vanilla"))
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyID: Suite.accessKeyID, secretAccessKey: Suite.secret, sessionToken: Suite.token),
            region: "us-east-1", service: "service")
        #expect(signer.canonicalRequest(for: vanilla.request, amzDate: Suite.amzDate) == before.canonicalRequest)
        let signed = signer.sign(vanilla.request, date: Suite.date)
        #expect(values(signed, "X-Amz-Security-Token") == [Suite.token])
        #expect(values(signed, "Authorization") == [before.authorization])
        // Already present: used as is, not sent twice.
        let again = signer.sign(before.request, date: Suite.date)
        #expect(values(again, "X-Amz-Security-Token") == [Suite.token])
        #expect(values(again, "Authorization") == [before.authorization])
    }

    @Test func withoutTokenNoTokenHeader() throws {
        let vanilla = try #require(Suite.vector("post-vanilla"))
        let signed = Suite.signer.sign(vanilla.request, date: Suite.date)
        #expect(values(signed, "X-Amz-Security-Token").isEmpty)
    }

    /// Plumb's own requests carry no X-Amz-Date: it comes from the date given.
    @Test func dateHeaderFromTheGivenDate() {
        let request = HTTPRequest(url: "https://example.amazonaws.com/", headers: [("Host", "example.amazonaws.com")])
        let signed = Suite.signer.sign(request, date: Suite.date)
        #expect(values(signed, "X-Amz-Date") == [Suite.amzDate])
        #expect(values(signed, "Authorization") == [Suite.vector("get-vanilla")?.authorization ?? "missing"])
    }

    /// Without a Host header, host is signed as libcurl will send it, and no Host header
    /// is added (libcurl adds its own).
    @Test func hostDerivedFromTheURL() throws {
        let vanilla = try #require(Suite.vector("get-vanilla"))
        let request = HTTPRequest(url: "https://example.amazonaws.com/", headers: [("X-Amz-Date", Suite.amzDate)])
        #expect(Suite.signer.canonicalRequest(for: request, amzDate: Suite.amzDate) == vanilla.canonicalRequest)
        let signed = Suite.signer.sign(request, date: Suite.date)
        #expect(values(signed, "Host").isEmpty)
        #expect(values(signed, "Authorization") == [vanilla.authorization])
        // The default port is not part of Host; a fragment is never sent.
        let withPort = HTTPRequest(url: "https://example.amazonaws.com:443/#top", headers: [("X-Amz-Date", Suite.amzDate)])
        #expect(values(Suite.signer.sign(withPort, date: Suite.date), "Authorization") == [vanilla.authorization])
    }

    @Test(arguments: [
        ("https://example.amazonaws.com/", "example.amazonaws.com"),
        ("https://example.amazonaws.com:443/", "example.amazonaws.com"),
        ("https://example.amazonaws.com:8443/", "example.amazonaws.com:8443"),
        ("https://example.amazonaws.com:80/", "example.amazonaws.com:80"),
        ("http://localhost:5000/", "localhost:5000"),
        ("http://127.0.0.1:80/x", "127.0.0.1"),
        ("http://[::1]:5000/", "[::1]:5000"),
        ("https://[::1]/", "[::1]"),
        ("https://user:pass@ec2.us-east-1.amazonaws.com/?Action=X", "ec2.us-east-1.amazonaws.com"),
        ("https://iam.amazonaws.com?Action=ListRoles", "iam.amazonaws.com"),
    ])
    func hostHeaderLikeLibcurl(url: String, host: String) {
        #expect(SigV4Signer.URLParts(url).hostHeader == host)
    }

    @Test func urlParts() {
        let parts = SigV4Signer.URLParts("https://h.example/a/b?x=1&y=2#frag")
        #expect(parts.path == "/a/b")
        #expect(parts.query == "x=1&y=2")
        let bare = SigV4Signer.URLParts("https://h.example?x=1")
        #expect(bare.path == "")
        #expect(bare.query == "x=1")
    }

    @Test func signingAgainReplacesTheAuthorization() throws {
        let vanilla = try #require(Suite.vector("get-vanilla"))
        let once = Suite.signer.sign(vanilla.request, date: Suite.date)
        let twice = Suite.signer.sign(once, date: Suite.date)
        #expect(values(twice, "Authorization") == [vanilla.authorization])
        #expect(twice.headers.count == once.headers.count)
    }

    /// An EC2 Query API call as the provider will send it: form body, content type, host
    /// from the URL. The body is what is hashed.
    @Test func queryAPIRequestSignsTheFormBody() {
        let body = AWSQuery.formBody([("Action", "DescribeVpcs"), ("Version", "2016-11-15")])
        let request = HTTPRequest(
            method: "POST", url: "https://ec2.eu-west-1.amazonaws.com/",
            headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
            body: Data(body.utf8))
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyID: Suite.accessKeyID, secretAccessKey: Suite.secret),
            region: "eu-west-1", service: "ec2")
        let canonical = signer.canonicalRequest(for: request, amzDate: Suite.amzDate)
        let lines = canonical.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "POST")
        #expect(lines.contains("host:ec2.eu-west-1.amazonaws.com"))
        #expect(lines.dropLast().last == "content-type;host;x-amz-date")
        // sha256("Action=DescribeVpcs&Version=2016-11-15")
        #expect(lines.last == "d821ac2c2958664a08eb0f0b183ebf80201e8a50da5d9e98eca9bc36ef648656")
        let authorization = values(signer.sign(request, date: Suite.date), "Authorization").first ?? ""
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/ec2/aws4_request, "))
    }

    @Test(arguments: [
        (Date(timeIntervalSince1970: 0), "19700101T000000Z"),
        (Date(timeIntervalSince1970: 1_440_938_160.999), "20150830T123600Z"),
        (Date(timeIntervalSince1970: 951_782_400), "20000229T000000Z"),
        (Date(timeIntervalSince1970: 1_735_689_599), "20241231T235959Z"),
        (Date(timeIntervalSince1970: -1), "19691231T235959Z"),
    ])
    func amzDate(date: Date, expected: String) {
        #expect(SigV4Signer.amzDate(date) == expected)
    }

    @Test(arguments: [
        ("", "/"),
        ("/", "/"),
        ("/2013-04-01/hostedzone/Z1D633PJN98FT9/rrset", "/2013-04-01/hostedzone/Z1D633PJN98FT9/rrset"),
        ("/a/b/../c/./d", "/a/c/d"),
        ("/a/b/..", "/a/"),
        ("/../a", "/a"),
        ("/%7Euser/%41", "/~user/A"),
        ("/a%2Fb", "/a%2Fb"),
        ("/a%20b", "/a%20b"),
        ("/a+b*c", "/a%2Bb%2Ac"),
        ("/100%", "/100%25"),
        ("/caf\u{E9}", "/caf%C3%A9"),
    ])
    func canonicalURI(path: String, expected: String) {
        #expect(SigV4Signer.canonicalURI(path) == expected)
    }

    @Test(arguments: [
        ("", ""),
        ("b=2&a=1&a=", "a=&a=1&b=2"),
        ("flag", "flag="),
        ("&&x=1&", "x=1"),
        ("x=%7e&y=%2b&z=a%20b", "x=~&y=%2B&z=a%20b"),
        ("k=a+b", "k=a%2Bb"),
        ("k=v=w", "k=v%3Dw"),
        ("Filter.1.Name=tag:Name&Action=DescribeVpcs", "Action=DescribeVpcs&Filter.1.Name=tag%3AName"),
        ("b=1&B=2&a_=3&a=4", "B=2&a=4&a_=3&b=1"),
    ])
    func canonicalQuery(query: String, expected: String) {
        #expect(SigV4Signer.canonicalQuery(query) == expected)
    }

    @Test func headerValuesTrimmedAndCollapsed() {
        #expect(SigV4Signer.canonicalHeaderValue("  a \t b   c  ") == "a b c")
        #expect(SigV4Signer.canonicalHeaderValue("") == "")
        #expect(SigV4Signer.canonicalHeaderValue("   ") == "")
    }
}

@Suite("AWS query encoding")
struct AWSQueryTests {
    @Test func unreservedKept() {
        #expect(AWSQuery.percentEncode(Suite.unreserved) == Suite.unreserved)
    }

    @Test(arguments: [
        (" ", "%20"), ("+", "%2B"), ("*", "%2A"), ("/", "%2F"), ("=", "%3D"), ("&", "%26"), ("%", "%25"),
        (":", "%3A"), ("@", "%40"), ("?", "%3F"), ("#", "%23"), ("!", "%21"), ("'", "%27"), ("(", "%28"),
        (")", "%29"), (",", "%2C"), (";", "%3B"), ("$", "%24"), ("\"", "%22"), ("\n", "%0A"),
        ("\u{E9}", "%C3%A9"), ("\u{1234}", "%E1%88%B4"), ("\u{1F600}", "%F0%9F%98%80"),
        ("10.0.0.0/16", "10.0.0.0%2F16"), ("a b+c", "a%20b%2Bc"),
    ])
    func reservedEncoded(text: String, encoded: String) {
        #expect(AWSQuery.percentEncode(text) == encoded)
    }

    @Test func formBody() {
        #expect(
            AWSQuery.formBody([
                ("Action", "CreateTags"), ("Version", "2016-11-15"), ("ResourceId.1", "vpc-1"),
                ("Tag.1.Key", "Name"), ("Tag.1.Value", "prod & staging/2 = caf\u{E9}"),
            ])
                == "Action=CreateTags&Version=2016-11-15&ResourceId.1=vpc-1&Tag.1.Key=Name&Tag.1.Value=prod%20%26%20staging%2F2%20%3D%20caf%C3%A9"
        )
        #expect(AWSQuery.formBody([]) == "")
        #expect(AWSQuery.formBody([("Empty", "")]) == "Empty=")
    }

    /// A form body's parameters, put in a query string, sign as they are sent.
    @Test func formBodyRoundTripsThroughCanonicalQuery() {
        let body = AWSQuery.formBody([("Version", "2010-05-08"), ("Action", "ListRoles"), ("PathPrefix", "/plumb a+b/")])
        #expect(
            SigV4Signer.canonicalQuery(body) == "Action=ListRoles&PathPrefix=%2Fplumb%20a%2Bb%2F&Version=2010-05-08")
    }
}

@Suite("AWS credentials")
struct AWSCredentialsTests {
    @Test func descriptionHidesSecretAndToken() {
        let credentials = AWSCredentials(
            accessKeyID: Suite.accessKeyID, secretAccessKey: Suite.secret, sessionToken: Suite.token)
        var dumped = ""
        dump(credentials, to: &dumped)
        for text in [
            credentials.description, String(describing: credentials), String(reflecting: credentials),
            "\(credentials)", dumped,
        ] {
            #expect(text.contains(Suite.accessKeyID))
            #expect(!text.contains(Suite.secret))
            #expect(!text.contains("wJalr"))
            #expect(!text.contains(Suite.token))
            #expect(!text.contains("AQoDYXdz"))
        }
        let withoutToken = AWSCredentials(accessKeyID: Suite.accessKeyID, secretAccessKey: Suite.secret)
        #expect(!withoutToken.description.contains(Suite.secret))
        #expect(withoutToken.description.contains(Suite.accessKeyID))
    }

    @Test func fromEnvironment() throws {
        let full = try #require(
            AWSCredentials.fromEnvironment([
                "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token",
                "HOME": "/root",
            ]))
        #expect(full.accessKeyID == "AKID")
        #expect(full.secretAccessKey == "secret")
        #expect(full.sessionToken == "token")

        let noToken = try #require(
            AWSCredentials.fromEnvironment([
                "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "",
            ]))
        #expect(noToken.sessionToken == nil)
        #expect(
            AWSCredentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret"])?
                .sessionToken == nil)

        #expect(AWSCredentials.fromEnvironment([:]) == nil)
        #expect(AWSCredentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "AKID"]) == nil)
        #expect(AWSCredentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": ""]) == nil)
        #expect(AWSCredentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "secret"]) == nil)
        #expect(AWSCredentials.fromEnvironment(["AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "t"]) == nil)
    }
}

private func values(_ request: HTTPRequest, _ name: String) -> [String] {
    request.headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
}
