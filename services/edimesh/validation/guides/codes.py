"""Code lists the guides share (comma-separated, as the element tokens take them).

Only X12-internal lists live here; external code sets (states, place of service, CARC,
RARC, ICD-10-CM, ...) are referenced as ``@NAME`` and checked at SNIP 5.
"""

COMM = "EM,FX,TE"
COMM_EXT = "EM,EX,FX,TE"
GENDER = "F,M,U"
# SBR01 payer responsibility sequence number code.
PAYER_SEQUENCE = "A,B,C,D,E,F,G,H,P,S,T,U"
# SBR09 / CLP06 claim filing indicator code.
CLAIM_FILING = "11,12,13,14,15,16,17,AM,BL,CH,CI,DS,FI,HM,LM,MA,MB,MC,OF,TV,VA,WC,ZZ"
# SBR05 insurance type code (Medicare secondary payer types).
MSP_TYPE = "12,13,14,15,16,41,42,43,47"
# Individual relationship code (2320 SBR02; PAT01 has all but 18).
RELATIONSHIP = "01,18,19,20,21,39,40,53,G8"
PATIENT_RELATIONSHIP = "01,19,20,21,39,40,53,G8"
# CAS01 claim adjustment group code.
ADJUSTMENT_GROUP = "CO,CR,OA,PI,PR"
# HCP01 pricing methodology.
PRICING = "00,01,02,03,04,05,06,07,08,09,10,11,12,13,14"
# CLM20 delay reason code.
DELAY_REASON = "1,2,3,4,5,6,7,8,9,10,11,15"
# PWK01 report type code (attachments).
REPORT_TYPE = (
    "03,04,05,06,07,08,09,10,11,13,15,21,A3,A4,AM,AS,B2,B3,B4,BR,BS,BT,CB,CK,CT,D2,DA,DB,DG,DJ,"
    "DS,EB,HC,HR,I5,IR,LA,M1,MT,NN,OB,OC,OD,OE,OX,OZ,P4,P5,PE,PN,PO,PQ,PY,PZ,RB,RR,RT,RX,SG,V5,XP"
)
PWK_TRANSMISSION = "AA,BM,EL,EM,FT,FX"
# Product/service id qualifiers in C003-01.
PROCEDURE_QUALIFIER = "ER,HC,IV,WK"
INSTITUTIONAL_PROCEDURE_QUALIFIER = "ER,HC,HP,IV,WK"
ADJUDICATED_PROCEDURE_QUALIFIER = "AD,ER,HC,HP,IV,N4,NU,WK"
# CRC condition codes (ambulance certification, CRC03-07).
AMBULANCE_CONDITION = "01,04,05,06,07,08,09,12"
