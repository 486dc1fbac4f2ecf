// An independent RFC 4998 implementation as an oracle for hozon's
// evidence records: Bouncy Castle's org.bouncycastle.tsp.ers (Debian
// libbcpkix-java). Compiled by the e2e tests (tests/e2e/ers_bc.rs) into a
// temporary directory.
//
//   verify ER DATA...           every ArchiveTimeStamp's token verifies with
//                               its TSA certificate, and DATA (one data
//                               object, or several: one data group) is
//                               present in the record (validatePresent)
//   build ER TSA_URL DATA...    a new evidence record over DATA (SHA-256)
//   renew-ts IN OUT TSA_URL     time-stamp renewal of IN
//   renew-hash IN OUT TSA_URL DATA...
//                               hash-tree renewal of IN under SHA-512
//
// Prints "OK ..." and exits 0, or prints the exception and exits 1.

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.tsp.ArchiveTimeStamp;
import org.bouncycastle.asn1.tsp.ArchiveTimeStampChain;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.DigestCalculator;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.tsp.TimeStampRequest;
import org.bouncycastle.tsp.TimeStampRequestGenerator;
import org.bouncycastle.tsp.TimeStampResponse;
import org.bouncycastle.tsp.ers.ERSArchiveTimeStamp;
import org.bouncycastle.tsp.ers.ERSArchiveTimeStampGenerator;
import org.bouncycastle.tsp.ers.ERSByteData;
import org.bouncycastle.tsp.ers.ERSData;
import org.bouncycastle.tsp.ers.ERSDataGroup;
import org.bouncycastle.tsp.ers.ERSEvidenceRecord;
import org.bouncycastle.tsp.ers.ERSEvidenceRecordGenerator;

public class ErsOracle {
    static DigestCalculatorProvider provider() throws Exception {
        return new JcaDigestCalculatorProviderBuilder().build();
    }

    static ERSData data(String[] args, int from) throws Exception {
        List<ERSData> objects = new ArrayList<>();
        for (int i = from; i < args.length; i++) {
            objects.add(new ERSByteData(Files.readAllBytes(Paths.get(args[i]))));
        }
        if (objects.size() == 1) {
            return objects.get(0);
        }
        return new ERSDataGroup(objects);
    }

    static TimeStampResponse post(String url, TimeStampRequest req) throws Exception {
        HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
        c.setDoOutput(true);
        c.setRequestMethod("POST");
        c.setRequestProperty("Content-Type", "application/timestamp-query");
        try (OutputStream out = c.getOutputStream()) {
            out.write(req.getEncoded());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try (InputStream in = c.getInputStream()) {
            in.transferTo(body);
        }
        TimeStampResponse resp = new TimeStampResponse(body.toByteArray());
        resp.validate(req);
        return resp;
    }

    static TimeStampRequestGenerator requests() {
        TimeStampRequestGenerator g = new TimeStampRequestGenerator();
        g.setCertReq(true);
        return g;
    }

    static BigInteger nonce() {
        return new BigInteger(63, new SecureRandom());
    }

    static ERSEvidenceRecord read(String path) throws Exception {
        return new ERSEvidenceRecord(Files.readAllBytes(Paths.get(path)), provider());
    }

    public static void main(String[] args) {
        try {
            switch (args[0]) {
                case "verify": {
                    ERSEvidenceRecord er = read(args[1]);
                    int n = 0;
                    for (ArchiveTimeStampChain chain :
                            er.toASN1Structure().getArchiveTimeStampSequence().getArchiveTimeStampChains()) {
                        for (ArchiveTimeStamp ats : chain.getArchiveTimestamps()) {
                            ERSArchiveTimeStamp e = new ERSArchiveTimeStamp(ats, provider());
                            e.validate(new JcaSimpleSignerInfoVerifierBuilder().build(e.getSigningCertificate()));
                            n++;
                        }
                    }
                    er.validatePresent(data(args, 2), new Date());
                    er.validate(new JcaSimpleSignerInfoVerifierBuilder().build(er.getSigningCertificate()));
                    System.out.println("OK verified " + n + " archive time stamp(s)");
                    break;
                }
                case "build": {
                    DigestCalculator sha256 = provider().get(new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256));
                    ERSArchiveTimeStampGenerator gen = new ERSArchiveTimeStampGenerator(sha256);
                    gen.addData(data(args, 3));
                    TimeStampRequest req = gen.generateTimeStampRequest(requests(), nonce());
                    ERSArchiveTimeStamp ats = gen.generateArchiveTimeStamp(post(args[2], req));
                    ERSEvidenceRecord er = new ERSEvidenceRecordGenerator(provider()).generate(ats);
                    Files.write(Paths.get(args[1]), er.getEncoded());
                    System.out.println("OK built");
                    break;
                }
                case "renew-ts": {
                    ERSEvidenceRecord er = read(args[1]);
                    TimeStampRequest req = er.generateTimeStampRenewalRequest(requests(), nonce());
                    ERSEvidenceRecord renewed = er.renewTimeStamp(post(args[3], req));
                    Files.write(Paths.get(args[2]), renewed.getEncoded());
                    System.out.println("OK renewed");
                    break;
                }
                case "renew-hash": {
                    ERSEvidenceRecord er = read(args[1]);
                    DigestCalculator sha512 = provider().get(new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha512));
                    ERSData d = data(args, 4);
                    TimeStampRequest req = er.generateHashRenewalRequest(sha512, d, requests(), nonce());
                    ERSEvidenceRecord renewed = er.renewHash(sha512, d, post(args[3], req));
                    Files.write(Paths.get(args[2]), renewed.getEncoded());
                    System.out.println("OK renewed");
                    break;
                }
                default:
                    throw new IllegalArgumentException("unknown command " + args[0]);
            }
        } catch (Exception e) {
            System.out.println("FAILED " + e);
            e.printStackTrace(System.out);
            System.exit(1);
        }
    }
}
